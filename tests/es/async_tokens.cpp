// The event store's asynchronous forms (async_<name>): every completion
// token kind on the repository's append / find / latest-version family and
// on aggregates, in memory and on moto; the error-code path (`ec ==
// ddb::errc::...`) with the typed exception's data in `diagnostics`.
#include "backend.hpp"
#include "notebook.hpp"

#include <ddb/core/errc.hpp>
#include <ddb/es/aggregate_root.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_registry.hpp>
#include <ddb/es/migrate.hpp>
#include <ddb/es/projection_worker.hpp>
#include <ddb/es/projector.hpp>
#include <ddb/es/replay.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe.hpp>
#include <catch2/catch.hpp>

#include <thread>
#include <tuple>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;

namespace {

event_registry make_registry() {
    event_registry r;
    r.add<noted>("notebook.noted");
    return r;
}

new_event note_event(const std::string& text) {
    new_event e;
    e.event_class = "notebook.noted";
    e.properties = {{"text", text}};
    return e;
}

std::vector<new_event> notes(int n, const std::string& prefix) {
    std::vector<new_event> out;
    for (int i = 0; i < n; ++i)
        out.push_back(note_event(prefix + std::to_string(i)));
    return out;
}

std::string fresh_uuid(const std::string& prefix) {
    return ddb::test::unique_table(prefix);
}

} // namespace

TEMPLATE_TEST_CASE("es async: use_awaitable, deferred in a parallel group, as_tuple, "
                   "redirect_error",
                   "[es][async]", memory_backend, moto_backend) {
    store<TestType> s;
    auto& repo = *s.events;
    const std::string a = fresh_uuid("a");
    const std::string b = fresh_uuid("b");
    s.run([&]() -> awaitable<void> {
        // use_awaitable: the result, or the typed exception as system_error.
        auto first = notes(2, "a");
        auto stored =
            co_await repo.async_append(a, expected_version::exact(0), first, asio::use_awaitable);
        REQUIRE(stored.size() == 2);
        CHECK(stored.back().aggregate_version == 2);
        const std::int64_t v = co_await repo.async_latest_aggregate_version(a, asio::use_awaitable);
        CHECK(v == 2);
        const stored_event found = co_await repo.async_find(stored[0].id, asio::use_awaitable);
        CHECK(found.event_properties.at("text").as_string() == "a0");

        // deferred: two appends composed in a parallel group (Boost 1.81's
        // way of composing deferred operations).
        auto more_a = notes(1, "a-more");
        auto more_b = notes(3, "b");
        auto [order, ec1, r1, ec2, r2] =
            co_await asio::experimental::make_parallel_group(
                repo.async_append(a, expected_version::exact(2), more_a, asio::deferred),
                repo.async_append(b, expected_version::exact(0), more_b, asio::deferred))
                .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        CHECK_FALSE(ec1);
        CHECK_FALSE(ec2);
        REQUIRE(r1.size() == 1);
        CHECK(r1[0].aggregate_version == 3);
        CHECK(r2.size() == 3);
        // A deferred operation started later.
        auto later = repo.async_latest_aggregate_version(b, asio::deferred);
        const std::int64_t vb = co_await std::move(later)(asio::use_awaitable);
        CHECK(vb == 3);

        // as_tuple: a conflicting append is an error code, its versions in
        // the diagnostics.
        ddb::diagnostics diag;
        auto stale = notes(1, "stale");
        auto [ec, none] = co_await repo.async_append(a, expected_version::exact(1), stale, diag,
                                                     asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ddb::errc::concurrency_conflict);
        CHECK(ec == es_errc::concurrency_conflict);
        CHECK(none.empty());
        const auto* conflict = diag.get<concurrency_conflict>();
        REQUIRE(conflict != nullptr);
        CHECK(conflict->aggregate_uuid() == a);
        CHECK(conflict->expected() == 1);
        CHECK(conflict->actual() == 3);
        // Nothing was stored.
        const std::int64_t still =
            co_await repo.async_latest_aggregate_version(a, asio::use_awaitable);
        CHECK(still == 3);

        // redirect_error: an event that is not stored.
        ddb::error_code nf;
        const std::int64_t missing = stored.back().id + 1'000'000'000;
        auto nothing =
            co_await repo.async_find(missing, diag, asio::redirect_error(asio::use_awaitable, nf));
        CHECK(nf == ddb::errc::not_found);
        CHECK(nf == es_errc::event_not_found);
        CHECK(nothing.id == 0);
        const auto* not_found = diag.get<event_not_found>();
        REQUIRE(not_found != nullptr);
        CHECK(not_found->id() == missing);
        // The diagnostics are cleared when an operation starts.
        auto [ok, count] = co_await repo.async_count_all_starting_from(
            0, std::optional<std::string>(a), diag, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ok);
        CHECK(count == 3);
        CHECK(diag.exception() == nullptr);

        // use_awaitable on a failure: the code as a system_error (the
        // short form, `append`, throws the typed exception).
        try {
            auto again = notes(1, "again");
            co_await repo.async_append(a, expected_version::exact(0), again, asio::use_awaitable);
            FAIL("no conflict");
        } catch (const boost::system::system_error& x) {
            CHECK(x.code() == ddb::errc::concurrency_conflict);
        }
    });
}

TEMPLATE_TEST_CASE("es async: use_future from a thread that does not run the io_context, "
                   "a callback on a strand",
                   "[es][async]", memory_backend, moto_backend) {
    store<TestType> s;
    auto& repo = *s.events;
    const std::string a = fresh_uuid("f");
    SECTION("use_future") {
        s.ioc.restart();
        auto work = asio::make_work_guard(s.ioc);
        std::thread io([&] { s.ioc.run(); });
        auto f = repo.async_append(a, expected_version::exact(0), notes(2, "f"), asio::use_future);
        const auto stored = f.get();
        CHECK(stored.size() == 2);
        auto v = repo.async_latest_aggregate_version(a, asio::use_future);
        CHECK(v.get() == 2);
        auto conflict =
            repo.async_append(a, expected_version::exact(0), notes(1, "x"), asio::use_future);
        try {
            conflict.get();
            FAIL("no conflict");
        } catch (const boost::system::system_error& x) {
            CHECK(x.code() == ddb::errc::concurrency_conflict);
        }
        work.reset();
        io.join();
    }
    SECTION("a plain callback, bound to a strand") {
        auto strand = asio::make_strand(s.ioc);
        int calls = 0;
        bool in_strand = true;
        std::vector<stored_event> got;
        repo.async_append(a, expected_version::exact(0), notes(3, "s"),
                          asio::bind_executor(strand, [&](ddb::error_code ec, auto stored) {
                              CHECK_FALSE(ec);
                              in_strand = in_strand && strand.running_in_this_thread();
                              got = std::move(stored);
                              ++calls;
                          }));
        ddb::diagnostics diag;
        ddb::error_code conflict_ec;
        s.ioc.restart();
        s.ioc.run();
        repo.async_append(a, expected_version::exact(1), notes(1, "late"), diag,
                          asio::bind_executor(strand, [&](ddb::error_code ec, auto) {
                              in_strand = in_strand && strand.running_in_this_thread();
                              conflict_ec = ec;
                              ++calls;
                          }));
        s.ioc.restart();
        s.ioc.run();
        CHECK(calls == 2);
        CHECK(in_strand);
        CHECK(got.size() == 3);
        CHECK(conflict_ec == ddb::errc::concurrency_conflict);
        REQUIRE(diag.get<concurrency_conflict>() != nullptr);
        CHECK(diag.get<concurrency_conflict>()->actual() == 3);
    }
    if (s.c) {
        // Settled: every connection back in the pool.
        auto stats = s.c->pool_stats();
        CHECK(stats.open == stats.idle);
    }
}

TEMPLATE_TEST_CASE("es async: aggregates, snapshots, retry_on_conflict, persist_in_transaction, "
                   "replay",
                   "[es][async]", memory_backend, moto_backend) {
    store<TestType> s;
    const event_registry registry = make_registry();
    repositories repos(*s.events, *s.snapshots, registry);
    const std::string a = fresh_uuid("n");
    const std::string b = fresh_uuid("m");
    s.run([&]() -> awaitable<void> {
        notebook n = notebook::create(repos, a);
        n.note("one");
        n.note("two");
        auto stored = co_await n.async_persist(asio::use_awaitable);
        CHECK(stored.size() == 2);
        CHECK(n.persisted_version() == 2);
        co_await n.async_snapshot(asio::use_awaitable);
        auto loaded = co_await notebook::async_load(repos, a, asio::use_awaitable);
        CHECK(loaded.version() == 2);
        CHECK(loaded.notes == 2);

        // A stale aggregate: the error code and the versions.
        notebook stale = notebook::create(repos, a);
        stale.note("stale");
        ddb::diagnostics diag;
        auto [ec, none] = co_await stale.async_persist(diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ddb::errc::concurrency_conflict);
        REQUIRE(diag.get<concurrency_conflict>() != nullptr);
        CHECK(diag.get<concurrency_conflict>()->expected() == 0);
        CHECK(diag.get<concurrency_conflict>()->actual() == 2);
        CHECK(stale.recorded_events().size() == 1); // kept for a retry

        // retry_on_conflict: the command runs until its append goes through.
        auto command = [](notebook& x) { x.note("retried"); };
        notebook r =
            co_await async_retry_on_conflict<notebook>(repos, a, command, 3, asio::use_awaitable);
        CHECK(r.persisted_version() == 3);

        // persist_in_transaction: two aggregates at once.
        notebook x = co_await notebook::async_load(repos, a, asio::use_awaitable);
        notebook y = notebook::create(repos, b);
        x.note("x");
        y.note("y");
        auto both =
            co_await async_persist_in_transaction(repos, std::tie(x, y), asio::use_awaitable);
        CHECK(both.size() == 2);
        CHECK(x.persisted_version() == 4);
        CHECK(y.persisted_version() == 1);

        // persist_and_project, replay.
        projector counter(registry, "counter");
        int counted = 0;
        counter.on<noted>([&](const noted&) { ++counted; });
        projectionist p;
        p.add(counter);
        y.note("y2");
        auto pp = co_await async_persist_and_project(y, p, asio::use_awaitable);
        CHECK(pp.events.size() == 1);
        CHECK(counted == 1);
        counted = 0;
        replay_options o;
        o.aggregate_uuid = a;
        auto result = co_await async_replay(*s.events, p, o, asio::use_awaitable);
        CHECK(result.replayed == 4);
        CHECK(counted == 4);

        // The snapshot repository's own forms.
        auto snap = co_await s.snapshots->async_retrieve(a, asio::use_awaitable);
        REQUIRE(snap.has_value());
        CHECK(snap->aggregate_version == 2);
    });
}

TEST_CASE("es async: the checkpoint store (lease_lost as an error code), tables, migrate, "
          "a worker's redrive",
          "[es][async]") {
    store<moto_backend> s;
    checkpoint_store checkpoints(*s.c, s.cfg);
    s.run([&]() -> awaitable<void> {
        // Tables and migration: idempotent on a store of the current layout.
        std::vector<std::string> lines;
        std::function<void(std::string_view)> progress = [&](std::string_view l) {
            lines.emplace_back(l);
        };
        co_await async_create_tables(*s.c, s.cfg, false, progress, asio::use_awaitable);
        CHECK(lines.size() >= 3);
        ddb::diagnostics diag;
        const migrate_options mo;
        auto [mec, migrated] = co_await async_migrate_layout(*s.c, s.cfg, mo, nullptr, diag,
                                                             asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(mec);
        CHECK_FALSE(migrated.migrated);

        // A lease taken over: the old holder's commit is lease_lost.
        auto l1 = co_await checkpoints.async_acquire("p", 0, "w1", std::chrono::milliseconds(100),
                                                     asio::use_awaitable);
        REQUIRE(l1.has_value());
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(150));
        co_await t.async_wait(asio::use_awaitable);
        auto l2 = co_await checkpoints.async_acquire("p", 0, "w2", std::chrono::seconds(10),
                                                     asio::use_awaitable);
        REQUIRE(l2.has_value());
        subscription_position next;
        next.id = 42;
        auto [cec] =
            co_await checkpoints.async_commit(*l1, next, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(cec == ddb::errc::lease_lost);
        CHECK(cec == es_errc::lease_lost);
        REQUIRE(diag.get<es_error>() != nullptr);
        CHECK(diag.get<es_error>()->kind() == es_errc::lease_lost);
        CHECK(l1->position.id == 0); // unchanged
        const bool renewed =
            co_await checkpoints.async_renew(*l1, std::chrono::seconds(1), asio::use_awaitable);
        CHECK_FALSE(renewed);
        // The holder's commit goes through and moves its handle.
        co_await checkpoints.async_commit(*l2, next, asio::use_awaitable);
        CHECK(l2->position.id == 42);
        auto leases = co_await checkpoints.async_leases("p", asio::use_awaitable);
        REQUIRE(leases.size() == 1);
        CHECK(leases[0].owner == "w2");
        CHECK(leases[0].position.id == 42);
        co_await checkpoints.async_release(*l2, asio::use_awaitable);
        co_await checkpoints.async_heartbeat("p", "w3", std::chrono::seconds(10),
                                             asio::use_awaitable);
        auto live = co_await checkpoints.async_live_workers("p", asio::use_awaitable);
        CHECK(live == std::vector<std::string>{"w3"});
        co_await checkpoints.async_leave("p", "w3", asio::use_awaitable);
        auto names = co_await checkpoints.async_projections(asio::use_awaitable);
        CHECK(names == std::vector<std::string>{"p"});

        // A worker's re-drive, with nothing parked.
        projection_worker_options o;
        o.projection = "p";
        projection_worker w(*s.events, checkpoints, o,
                            [](const stored_event&) -> awaitable<void> { co_return; });
        const std::size_t redriven = co_await w.async_redrive_parked(true, asio::use_awaitable);
        CHECK(redriven == 0);
    });
    auto stats = s.c->pool_stats();
    CHECK(stats.open == stats.idle);
}

TEST_CASE("es async: the repositories and the checkpoint store outlive the caller's client "
          "object",
          "[es][async]") {
    asio::io_context ioc;
    store_config cfg;
    cfg.events_table = ddb::test::unique_table("own-events");
    cfg.snapshots_table = ddb::test::unique_table("own-snapshots");
    cfg.checkpoints_table = ddb::test::unique_table("own-checkpoints");
    const auto config = ddb::test::config_for(ddb::test::local_server::endpoint("moto"));
    auto c = std::make_unique<client>(ioc.get_executor(), config);
    ddb::test::complete(ioc, [&]() -> awaitable<void> { co_await create_tables(*c, cfg); });
    dynamodb_event_repository events(*c, cfg);
    dynamodb_snapshot_repository snapshots(*c, cfg);
    checkpoint_store checkpoints(*c, cfg);
    client moved(std::move(*c));
    c.reset(); // the caller's client object is gone (and its moved-to one too, below)
    { client gone(std::move(moved)); }
    ddb::test::complete(ioc, [&]() -> awaitable<void> {
        auto some = notes(2, "o");
        auto stored = co_await events.async_append("own", expected_version::exact(0), some,
                                                   asio::use_awaitable);
        CHECK(stored.size() == 2);
        auto latest = co_await events.async_latest_aggregate_version("own", asio::use_awaitable);
        CHECK(latest == 2);
        snapshot sn;
        sn.aggregate_uuid = "own";
        sn.aggregate_version = 2;
        sn.state = {1, 2, 3};
        co_await snapshots.async_persist(sn, asio::use_awaitable);
        auto back = co_await snapshots.async_retrieve("own", asio::use_awaitable);
        REQUIRE(back);
        CHECK(back->state == std::vector<std::uint8_t>{1, 2, 3});
        auto l = co_await checkpoints.async_acquire("p", 0, "w", std::chrono::seconds(5),
                                                    asio::use_awaitable);
        CHECK(l.has_value());
        // A deferred operation started after its client object went.
        auto other = std::make_unique<client>(ioc.get_executor(), config);
        auto remove = async_delete_tables(*other, cfg, asio::deferred);
        other.reset();
        co_await std::move(remove)(asio::use_awaitable);
    });
    ioc.restart();
    ioc.run();
}
