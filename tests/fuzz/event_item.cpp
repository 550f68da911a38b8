// The stored-event item decoder (from_item, what every read of the events
// table goes through) and the metadata accessors over what it decoded. The
// input is an item in DynamoDB JSON, as the event store writes it.
#include "fuzz.hpp"

#include <ddb/es/event_metadata.hpp>
#include <ddb/value/item.hpp>

#include "es/detail/event_item.hpp"

#include <boost/json/parse.hpp>

namespace {

namespace json = boost::json;
using namespace ddb;

} // namespace

DDB_FUZZ_TARGET {
    json::error_code ec;
    json::value j = json::parse(fuzz::text(data, size), ec);
    if (ec)
        return 0;
    static const es::store_config config;
    fuzz::typed([&] {
        const item it = item_from_json(j);
        const es::stored_event e = es::detail::from_item(it, config);
        // What the store would write for it decodes to the same event. (The
        // JSON payloads are compared by shape: Boost.JSON 1.81 parses numbers
        // beyond 64-bit integers into doubles imprecisely, which can move
        // such a number by an ulp on each write and read.)
        es::stored_event again = es::detail::from_item(es::detail::to_item(e, config), config);
        DDB_FUZZ_CHECK(again.id == e.id && again.aggregate_uuid == e.aggregate_uuid &&
                       again.aggregate_version == e.aggregate_version &&
                       again.event_version == e.event_version &&
                       again.event_class == e.event_class && again.created_at == e.created_at &&
                       again.expires_at == e.expires_at);
        DDB_FUZZ_CHECK(again.event_properties.kind() == e.event_properties.kind());
        DDB_FUZZ_CHECK(again.meta_data.size() == e.meta_data.size());
        fuzz::typed([&] { (void)es::detail::checked_item(e, config); });

        (void)es::format_timestamp(e.created_at);
        if (e.expires_at)
            (void)es::format_timestamp(*e.expires_at);
        es::event_metadata meta(e);
        (void)meta.created_at();
        (void)meta.stored_event_id();
        (void)meta.aggregate_root_uuid();
        (void)meta.aggregate_root_version();
    });
    return 0;
}
