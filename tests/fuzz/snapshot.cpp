// The snapshot decoder: a header item, then (for a multi-part state) the
// part items read back, in any order, as the DynamoDB snapshot repository
// reads them. The input is a page in DynamoDB JSON: {"Items": [header,
// part, ...]}.
#include "fuzz.hpp"

#include <ddb/value/item.hpp>

#include "es/detail/event_item.hpp"
#include "es/detail/snapshot_item.hpp"

namespace {

using namespace ddb;

std::string_view as_text(const bytes& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

} // namespace

DDB_FUZZ_TARGET {
    fuzz::typed([&] {
        std::vector<item> items = items_from_page(fuzz::text(data, size));
        if (items.empty())
            return;
        const item& header = items.front();
        auto h = es::detail::read_snapshot_header(header);
        if (!h)
            return;
        DDB_FUZZ_CHECK(h->id >= 0 && h->parts >= 0 && h->size >= 0);
        std::vector<item> parts(items.begin() + 1, items.end());
        if (h->parts > 0) {
            // The keys the repository asks for.
            auto keys = es::detail::snapshot_part_keys("aggregate-1", *h);
            DDB_FUZZ_CHECK(static_cast<std::int64_t>(keys.size()) == h->parts);
        }
        auto state = es::detail::assemble_snapshot(*h, header, parts);
        if (state) {
            DDB_FUZZ_CHECK(static_cast<std::int64_t>(state->size()) == h->size);
            DDB_FUZZ_CHECK(es::detail::sha256_hex(as_text(*state)) == h->sum);
        }
    });
    return 0;
}
