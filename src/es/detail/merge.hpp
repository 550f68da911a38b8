// Internal: the k-way merge of a global read. The events of one time bucket
// are spread over the partitions of the global index; each partition's
// query returns them by ascending id, and the merge hands them on in one
// sequence by ascending id, holding one item per partition.
#pragma once

#include <ddb/value/item.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ddb::es::detail {

/// The sort key of an item of the global index: its "id" (N).
inline std::int64_t id_of(const item& it) {
    return it.at("id").as_n().as<std::int64_t>();
}

/** Merges `sources` into one sequence by ascending id (`id_of`), each
    source's items ascending already; of equal ids the lower source first.

    Source: `co_await s.next()` gives a `std::optional<item>`, empty at the
    end (a `generator<item>`). Sink: `sink.take(item&)` gets each item in
    turn; when it returns true, `co_await sink.flush()` runs before the next
    item is fetched (the caller hands on a batch; a sink that must stop
    throws from `flush`). The first item of every source is fetched before
    the first is taken; after that, only the source of the item taken. */
template <class Source, class Sink>
boost::asio::awaitable<void> merge_by_id(std::vector<Source>& sources, Sink& sink) {
    struct head {
        std::optional<item> it;
        std::int64_t id = 0;
    };
    std::vector<head> heads(sources.size());
    for (std::size_t s = 0; s < sources.size(); ++s)
        heads[s].it = co_await sources[s].next();
    for (auto& h : heads)
        if (h.it)
            h.id = id_of(*h.it);
    for (;;) {
        std::size_t best = heads.size();
        for (std::size_t s = 0; s < heads.size(); ++s)
            if (heads[s].it && (best == heads.size() || heads[s].id < heads[best].id))
                best = s;
        if (best == heads.size())
            co_return;
        if (sink.take(*heads[best].it))
            co_await sink.flush();
        heads[best].it = co_await sources[best].next();
        if (heads[best].it)
            heads[best].id = id_of(*heads[best].it);
    }
}

} // namespace ddb::es::detail
