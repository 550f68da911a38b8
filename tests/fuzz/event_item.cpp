// The stored-event item decoder (from_item, what every read of the events
// table goes through) and the metadata accessors over what it decoded. The
// input is an item in DynamoDB JSON, as the event store writes it.
#include "fuzz.hpp"

#include <ddb/es/event_metadata.hpp>
#include <ddb/item.hpp>

#include "es/event_item.hpp"

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
        // What the store would write for it decodes to the same event.
        DDB_FUZZ_CHECK(es::detail::from_item(es::detail::to_item(e, config), config) == e);
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
