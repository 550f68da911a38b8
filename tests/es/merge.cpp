// The k-way merge of a global read (src/es/detail/merge.hpp): sources that
// are each sorted by id, merged into one sequence by id. No server.
#include "es/detail/merge.hpp"

#include <ddb/ops/generator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using ddb::item;
using ddb::es::detail::merge_by_id;

namespace {

item with_id(std::int64_t id, const std::string& tag = "") {
    return {{"id", ddb::attribute_value(ddb::number(id))}, {"tag", ddb::attribute_value(tag)}};
}

// A source over a list, counting the items fetched.
struct list_source {
    std::vector<item> items;
    std::size_t fetched = 0;

    awaitable<std::optional<item>> next() {
        if (fetched == items.size())
            co_return std::nullopt;
        co_return items[fetched++];
    }
};

std::vector<list_source> sources(const std::vector<std::vector<std::int64_t>>& ids) {
    std::vector<list_source> out;
    for (std::size_t s = 0; s < ids.size(); ++s) {
        list_source source;
        for (auto id : ids[s])
            source.items.push_back(with_id(id, std::to_string(s)));
        out.push_back(std::move(source));
    }
    return out;
}

// Collects ids and tags; flushes every `every` items (0: never).
struct collector {
    std::size_t every = 0;
    std::vector<std::int64_t> ids{};
    std::vector<std::string> tags{};
    std::vector<std::size_t> flushes{}; // items taken at each flush
    std::size_t throw_at_flush = 0;     // 1-based; 0: never

    bool take(const item& it) {
        ids.push_back(ddb::es::detail::id_of(it));
        tags.push_back(it.at("tag").as_s());
        return every && ids.size() % every == 0;
    }
    awaitable<void> flush() {
        flushes.push_back(ids.size());
        if (flushes.size() == throw_at_flush)
            throw std::runtime_error("stop");
        co_return;
    }
};

template <class Source>
void run_merge(std::vector<Source>& sources, collector& sink) {
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, merge_by_id(sources, sink), asio::use_future);
    ioc.run();
    done.get();
}

} // namespace

TEST_CASE("merge_by_id: one sequence by ascending id") {
    auto shards = sources({{1, 4, 9, 10}, {2, 3, 11}, {}, {5, 6, 7, 8, 12}});
    collector sink;
    run_merge(shards, sink);
    CHECK(sink.ids == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    CHECK(sink.flushes.empty());
}

TEST_CASE("merge_by_id: no sources, empty sources") {
    std::vector<list_source> none;
    collector sink;
    run_merge(none, sink);
    CHECK(sink.ids.empty());
    auto empty = sources({{}, {}});
    run_merge(empty, sink);
    CHECK(sink.ids.empty());
    CHECK(empty[0].fetched == 0);
}

TEST_CASE("merge_by_id: equal ids, the lower source first") {
    auto shards = sources({{1, 3}, {1, 2, 3}, {3}});
    collector sink;
    run_merge(shards, sink);
    CHECK(sink.ids == std::vector<std::int64_t>{1, 1, 2, 3, 3, 3});
    CHECK(sink.tags == std::vector<std::string>{"0", "1", "1", "0", "1", "2"});
}

TEST_CASE("merge_by_id: flush when the sink asks, before the next fetch") {
    auto shards = sources({{1, 3, 5, 7}, {2, 4, 6}});
    collector sink;
    sink.every = 3;
    run_merge(shards, sink);
    CHECK(sink.ids.size() == 7);
    CHECK(sink.flushes == std::vector<std::size_t>{3, 6});

    SECTION("a flush that throws stops the merge: nothing more is fetched") {
        auto more = sources({{1, 3, 5, 7}, {2, 4, 6}});
        collector stopping;
        stopping.every = 3;
        stopping.throw_at_flush = 1;
        CHECK_THROWS_WITH(run_merge(more, stopping), "stop");
        CHECK(stopping.ids == std::vector<std::int64_t>{1, 2, 3});
        // The first of each source, then the item after each one taken but
        // the last (3, taken from source 0, is not replaced).
        CHECK(more[0].fetched == 2);
        CHECK(more[1].fetched == 2);
    }
}

TEST_CASE("merge_by_id: holds one item per source") {
    auto shards = sources({{1, 2, 3, 4}, {10, 11}});
    collector sink;
    sink.every = 1;
    sink.throw_at_flush = 2;
    CHECK_THROWS_WITH(run_merge(shards, sink), "stop");
    // Taken 1 and 2 from source 0; source 1 fetched its first item only.
    CHECK(shards[0].fetched == 2);
    CHECK(shards[1].fetched == 1);
}

TEST_CASE("merge_by_id: over generators, as a global read") {
    asio::io_context ioc;
    auto make = [&](std::vector<std::int64_t> ids) {
        return ddb::generator<item>(
            ioc.get_executor(),
            [ids](ddb::generator<item>::sink& out) -> awaitable<void> {
                for (auto id : ids)
                    co_await out.push(with_id(id));
            },
            1);
    };
    std::vector<ddb::generator<item>> shards;
    shards.push_back(make({3, 30, 300}));
    shards.push_back(make({1, 2, 301}));
    shards.push_back(make({}));
    shards.push_back(make({4, 5, 6, 299}));
    collector sink;
    auto done = asio::co_spawn(ioc, merge_by_id(shards, sink), asio::use_future);
    ioc.run();
    done.get();
    CHECK(sink.ids == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 30, 299, 300, 301});
}
