// Stream shard leases in the checkpoint store (docs/streams.md, "Leases and
// checkpoints"), on moto and dynalite with fresh tables per test: creation
// (idempotent), takes (fence, expiry, takeover), two takers racing for each
// shard, a take whose answer is lost (fault proxy, moto), fencing (a stalled
// owner's commit and finish refused with lease_lost), commits that only move
// forward, finish (also resent after a lost answer) and the finished parent
// that lets its children start, clean-up, and bad input.
#include "backend.hpp"

#include "../support/fault_proxy.hpp"

#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <thread>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;
using std::chrono::system_clock;

namespace {

#define BACKENDS moto_backend, dynalite_backend

const std::string label = "2026-11-30T09:00:00.000";
const std::string consumer = "search-index";

template <class B>
struct fixture : store<B> {
    checkpoint_store cps;

    fixture()
        : store<B>()
        , cps(*this->c, this->cfg) {}

    bool create(const std::string& shard, std::vector<std::string> parents = {},
                shard_lease_start start = shard_lease_start::trim_horizon) {
        return this->run([&]() -> awaitable<bool> {
            co_return co_await cps.create_shard_lease(consumer, label, shard, parents, start);
        });
    }
    std::optional<shard_lease> acquire(const std::string& shard, const std::string& owner,
                                       milliseconds d) {
        return this->run([&]() -> awaitable<std::optional<shard_lease>> {
            co_return co_await cps.acquire_shard(consumer, label, shard, owner, d);
        });
    }
    void commit(shard_lease& l, const std::string& sq, std::int64_t records) {
        this->run([&]() -> awaitable<void> { co_await cps.commit(l, sq, records); });
    }
    void finish(shard_lease& l, std::optional<std::string> last = {},
                std::optional<std::string> gap = {}) {
        this->run([&]() -> awaitable<void> { co_await cps.finish(l, last, gap); });
    }
    std::vector<shard_lease> all() {
        return this->run([&]() -> awaitable<std::vector<shard_lease>> {
            co_return co_await cps.shard_leases(consumer, label);
        });
    }
};

template <class F>
es_errc error_of(F&& f) {
    try {
        f();
    } catch (const es_error& e) {
        INFO(e.what());
        return e.kind();
    }
    FAIL("no es_error");
    return {};
}

} // namespace

TEMPLATE_TEST_CASE("shard leases: created once, taken with fence 1, renewed by their owner, "
                   "refused to another, taken over after expiry with the next fence",
                   "[es][shard_leases]", BACKENDS) {
    fixture<TestType> f;
    CHECK(f.create("shard-a"));
    CHECK_FALSE(f.create("shard-a")); // exists: success, not created again
    CHECK(f.create("shard-b", {"shard-a"}, shard_lease_start::latest));
    CHECK_FALSE(f.acquire("shard-none", "w1", milliseconds(30'000))); // no item: not taken

    auto a = f.acquire("shard-a", "w1", milliseconds(300));
    REQUIRE(a);
    CHECK(a->consumer == consumer);
    CHECK(a->label == label);
    CHECK(a->shard_id == "shard-a");
    CHECK(a->owner == "w1");
    CHECK(a->fence == 1);
    CHECK_FALSE(a->sequence_number);
    CHECK_FALSE(a->done);
    auto again = f.acquire("shard-a", "w1", milliseconds(300));
    REQUIRE(again);
    CHECK(again->fence == 1);
    CHECK_FALSE(f.acquire("shard-a", "w2", milliseconds(300)));
    f.commit(*again, "100", 3);

    std::this_thread::sleep_for(milliseconds(400));
    auto b = f.acquire("shard-a", "w2", milliseconds(30'000));
    REQUIRE(b);
    CHECK(b->fence == 2);
    CHECK(b->sequence_number == std::optional<std::string>("100"));
    CHECK(b->handled == 3);

    auto all = f.all();
    REQUIRE(all.size() == 2);
    CHECK(all[0] == *b);
    CHECK(all[1].shard_id == "shard-b");
    CHECK(all[1].parents == std::vector<std::string>{"shard-a"});
    CHECK(all[1].start == shard_lease_start::latest);
    CHECK(all[1].owner.empty());
    // Another label's leases and the partition leases are apart.
    CHECK(f.run([&]() -> awaitable<std::size_t> {
        auto other = co_await f.cps.shard_leases(consumer, "2025-01-01T00:00:00.000");
        co_return other.size();
    }) == 0);
    CHECK(f.run([&]() -> awaitable<std::size_t> {
        auto partitions = co_await f.cps.leases(consumer);
        co_return partitions.size();
    }) == 0);

    // Release frees it (checkpoint kept); the next owner gets the next fence.
    f.run([&]() -> awaitable<void> { co_await f.cps.release(*b); });
    auto c = f.acquire("shard-a", "w3", milliseconds(30'000));
    REQUIRE(c);
    CHECK(c->fence == 3);
    CHECK(c->sequence_number == std::optional<std::string>("100"));
}

TEMPLATE_TEST_CASE("shard leases: two takers racing for each of eight shards: one wins each",
                   "[es][shard_leases]", BACKENDS) {
    fixture<TestType> f;
    for (int i = 0; i < 8; ++i)
        f.create("shard-" + std::to_string(i));
    // A second client, so that the two takes travel on their own connections.
    client other(f.ioc.get_executor(),
                 ddb::test::config_for(ddb::test::local_server::endpoint(TestType::name)));
    checkpoint_store second(other, f.cfg);
    using namespace asio::experimental::awaitable_operators;
    int won_by_1 = 0, won_by_2 = 0;
    for (int i = 0; i < 8; ++i) {
        const std::string shard = "shard-" + std::to_string(i);
        auto [one, two] = f.run(
            [&]() -> awaitable<std::tuple<std::optional<shard_lease>, std::optional<shard_lease>>> {
                auto a = f.cps.acquire_shard(consumer, label, shard, "w1", milliseconds(30'000));
                auto b = second.acquire_shard(consumer, label, shard, "w2", milliseconds(30'000));
                co_return co_await (std::move(a) && std::move(b));
            });
        INFO(shard);
        CHECK(one.has_value() != two.has_value());
        const auto& got = one ? one : two;
        REQUIRE(got);
        CHECK(got->fence == 1);
        won_by_1 += one ? 1 : 0;
        won_by_2 += two ? 1 : 0;
    }
    CHECK(won_by_1 + won_by_2 == 8);
    for (const auto& l : f.all())
        CHECK(l.fence == 1);
}

TEST_CASE("shard leases: a take whose answer is lost is recognised as the taker's own (same "
          "fence), by the client's resend and by the caller's next take - moto_backend",
          "[es][shard_leases]") {
    ddb::test::fault_proxy proxy(ddb::test::local_server::endpoint("moto"));
    fixture<moto_backend> f;
    auto config = ddb::test::config_for(proxy.endpoint());
    client via(f.ioc.get_executor(), config);
    config.retry->max_attempts = 1;
    client once(f.ioc.get_executor(), config);
    checkpoint_store resending(via, f.cfg), single(once, f.cfg);
    f.create("shard-a");
    f.create("shard-b");

    proxy.push({ddb::test::fault::close_after_forward});
    auto a = f.run([&]() -> awaitable<std::optional<shard_lease>> {
        co_return co_await resending.acquire_shard(consumer, label, "shard-a", "w1",
                                                   milliseconds(30'000));
    });
    CHECK(proxy.injected_by_name().at("close_after_forward") == 1);
    REQUIRE(a);
    CHECK(a->owner == "w1");
    CHECK(a->fence == 1);

    // No resend: the caller sees the error, takes again, and finds it its own.
    f.run([&]() -> awaitable<void> { co_await single.shard_leases(consumer, label); });
    proxy.push({ddb::test::fault::close_after_forward});
    proxy.push({ddb::test::fault::close_after_forward}); // a pooled connection's resend
    CHECK_THROWS_AS(f.run([&]() -> awaitable<void> {
        co_await single.acquire_shard(consumer, label, "shard-b", "w1", milliseconds(30'000));
    }),
                    ddb::error);
    CHECK_FALSE(f.acquire("shard-b", "w2", milliseconds(30'000))); // it was applied: w1's
    auto b = f.acquire("shard-b", "w1", milliseconds(30'000));
    REQUIRE(b);
    CHECK(b->fence == 1);
}

TEMPLATE_TEST_CASE("shard leases: a stalled owner's commit, renew and finish are refused once "
                   "another worker took the shard (lease_lost), nothing written",
                   "[es][shard_leases]", BACKENDS) {
    fixture<TestType> f;
    f.create("shard-a");
    auto a = f.acquire("shard-a", "w1", milliseconds(300));
    REQUIRE(a);
    f.commit(*a, "1000", 2);
    std::this_thread::sleep_for(milliseconds(400)); // w1 stalls past its lease
    auto b = f.acquire("shard-a", "w2", milliseconds(30'000));
    REQUIRE(b);
    CHECK(b->fence == a->fence + 1);

    const shard_lease stale = *a;
    CHECK(error_of([&] { f.commit(*a, "2000", 5); }) == es_errc::lease_lost);
    CHECK(*a == stale);
    CHECK_FALSE(
        f.run([&]() -> awaitable<bool> { co_return co_await f.cps.renew(*a, milliseconds(300)); }));
    CHECK(error_of([&] { f.finish(*a, "3000"); }) == es_errc::lease_lost);
    f.run([&]() -> awaitable<void> { co_await f.cps.release(*a); }); // no-op
    auto now = f.all();
    REQUIRE(now.size() == 1);
    CHECK(now[0].owner == "w2");
    CHECK(now[0].sequence_number == std::optional<std::string>("1000"));
    CHECK(now[0].handled == 2);
    CHECK_FALSE(now[0].done);
}

TEMPLATE_TEST_CASE("shard leases: commits move forward only (sequence numbers compared as "
                   "numbers), bad input is invalid_argument",
                   "[es][shard_leases]", BACKENDS) {
    fixture<TestType> f;
    f.create("shard-a");
    auto a = f.acquire("shard-a", "w1", milliseconds(30'000));
    REQUIRE(a);
    f.commit(*a, "999", 1);
    f.commit(*a, "1000", 1); // longer is later
    f.commit(*a, "1000", 0); // the same again: allowed (a resend)
    CHECK(a->handled == 2);
    CHECK(error_of([&] { f.commit(*a, "999", 1); }) == es_errc::invalid_argument);
    CHECK(error_of([&] { f.commit(*a, "0123", 1); }) == es_errc::invalid_argument);
    CHECK(error_of([&] { f.commit(*a, "12a", 1); }) == es_errc::invalid_argument);
    CHECK(error_of([&] { f.commit(*a, std::string(41, '1'), 1); }) == es_errc::invalid_argument);
    CHECK(error_of([&] { f.commit(*a, "1001", -1); }) == es_errc::invalid_argument);
    CHECK(f.all()[0].sequence_number == std::optional<std::string>("1000"));
    CHECK(sequence_before("99", "100"));
    CHECK(sequence_before("100", "101"));
    CHECK_FALSE(sequence_before("101", "101"));

    auto bad = [&](std::string c, std::string l, std::string s) {
        return error_of([&] {
            f.run([&]() -> awaitable<void> {
                co_await f.cps.create_shard_lease(c, l, s, {}, shard_lease_start::latest);
            });
        });
    };
    CHECK(bad("", label, "s") == es_errc::invalid_argument);
    CHECK(bad(consumer, "a#b", "s") == es_errc::invalid_argument);
    CHECK(bad(consumer, label, "") == es_errc::invalid_argument);
    CHECK(bad(consumer, label, "s\n") == es_errc::invalid_argument);
    CHECK(error_of([&] { f.acquire("shard-a", "w1", milliseconds(0)); }) ==
          es_errc::invalid_argument);
}

TEMPLATE_TEST_CASE("shard leases: finish marks the shard done and frees it, it is never taken "
                   "again, its children see it done, remove_finished only removes finished ones",
                   "[es][shard_leases]", BACKENDS) {
    fixture<TestType> f;
    f.create("parent");
    f.create("child-1", {"parent"});
    f.create("child-2", {"parent"});
    auto p = f.acquire("parent", "w1", milliseconds(30'000));
    REQUIRE(p);
    f.commit(*p, "500", 5);
    f.finish(*p, "600");
    REQUIRE(p->done);
    CHECK(p->owner.empty());
    CHECK(p->sequence_number == std::optional<std::string>("600"));
    CHECK_FALSE(f.acquire("parent", "w1", milliseconds(30'000)));
    CHECK_FALSE(f.acquire("parent", "w2", milliseconds(30'000)));

    // The children's parents are all done: ready.
    auto all = f.all();
    REQUIRE(all.size() == 3);
    CHECK(all[2].shard_id == "parent");
    CHECK(all[2].done);
    CHECK(all[2].handled == 5);
    CHECK_FALSE(all[2].gap);
    for (int i : {0, 1})
        CHECK(all[i].parents == std::vector<std::string>{"parent"});

    // A child read after a trimmed gap: finished with the gap recorded.
    auto c = f.acquire("child-1", "w2", milliseconds(30'000));
    REQUIRE(c);
    f.finish(*c, std::nullopt, std::string("TRIM_HORIZON"));
    CHECK(f.all()[0].gap == std::optional<std::string>("TRIM_HORIZON"));

    auto unfinished = f.all()[1];
    CHECK_FALSE(
        f.run([&]() -> awaitable<bool> { co_return co_await f.cps.remove_finished(unfinished); }));
    CHECK(f.run([&]() -> awaitable<bool> { co_return co_await f.cps.remove_finished(*p); }));
    CHECK_FALSE(f.run([&]() -> awaitable<bool> { co_return co_await f.cps.remove_finished(*p); }));
    CHECK(f.all().size() == 2);
}

TEST_CASE("shard leases: a finish whose answer is lost is found applied on the caller's retry "
          "- moto_backend",
          "[es][shard_leases]") {
    ddb::test::fault_proxy proxy(ddb::test::local_server::endpoint("moto"));
    fixture<moto_backend> f;
    auto config = ddb::test::config_for(proxy.endpoint());
    config.retry->max_attempts = 1;
    client once(f.ioc.get_executor(), config);
    checkpoint_store single(once, f.cfg);
    f.create("shard-a");
    auto a = f.acquire("shard-a", "w1", milliseconds(30'000));
    REQUIRE(a);
    f.run([&]() -> awaitable<void> { co_await single.shard_leases(consumer, label); });
    proxy.push({ddb::test::fault::close_after_forward});
    proxy.push({ddb::test::fault::close_after_forward});
    CHECK_THROWS_AS(f.run([&]() -> awaitable<void> { co_await single.finish(*a, "42"); }),
                    ddb::error);
    CHECK_FALSE(a->done);
    f.run([&]() -> awaitable<void> { co_await single.finish(*a, "42"); });
    CHECK(a->done);
    CHECK(a->sequence_number == std::optional<std::string>("42"));
    CHECK(f.all()[0].done);
}

TEST_CASE("shard leases: the async_ forms, lease_lost as an error code - moto_backend",
          "[es][shard_leases]") {
    fixture<moto_backend> f;
    f.run([&]() -> awaitable<void> {
        const std::vector<std::string> no_parents;
        const bool created = co_await f.cps.async_create_shard_lease(
            consumer, label, "shard-a", no_parents, shard_lease_start::latest, asio::use_awaitable);
        CHECK(created);
        auto l1 = co_await f.cps.async_acquire_shard(consumer, label, "shard-a", "w1",
                                                     milliseconds(100), asio::use_awaitable);
        REQUIRE(l1.has_value());
        co_await f.cps.async_record_delivery(*l1, "10", asio::use_awaitable);
        co_await f.cps.async_commit(*l1, "10", 1, asio::use_awaitable);
        asio::steady_timer t(co_await asio::this_coro::executor, milliseconds(150));
        co_await t.async_wait(asio::use_awaitable);
        auto l2 = co_await f.cps.async_acquire_shard(consumer, label, "shard-a", "w2",
                                                     std::chrono::seconds(10), asio::use_awaitable);
        REQUIRE(l2.has_value());
        CHECK(l2->delivering == std::optional<std::string>("10"));
        ddb::diagnostics diag;
        auto [cec] =
            co_await f.cps.async_commit(*l1, "20", 1, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(cec == ddb::errc::lease_lost);
        CHECK(cec == es_errc::lease_lost);
        REQUIRE(diag.get<es_error>() != nullptr);
        const bool renewed =
            co_await f.cps.async_renew(*l1, std::chrono::seconds(1), asio::use_awaitable);
        CHECK_FALSE(renewed);
        auto [fec] = co_await f.cps.async_finish(*l1, std::nullopt, std::nullopt,
                                                 asio::as_tuple(asio::use_awaitable));
        CHECK(fec == es_errc::lease_lost);
        co_await f.cps.async_finish(*l2, std::string("30"), std::nullopt, asio::use_awaitable);
        auto all = co_await f.cps.async_shard_leases(consumer, label, asio::use_awaitable);
        REQUIRE(all.size() == 1);
        CHECK(all[0].done);
        CHECK(all[0].sequence_number == std::optional<std::string>("30"));
        const bool removed = co_await f.cps.async_remove_finished(all[0], asio::use_awaitable);
        CHECK(removed);
        co_await f.cps.async_release(*l2, asio::use_awaitable); // gone: nothing happens
    });
}
