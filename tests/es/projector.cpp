// Projectors, reactors and the projectionist (run after persist, failures
// reported), and replay (global id order, reset from 0, checkpoint resume,
// no reactors), on the in-memory store and on moto.
#include "backend.hpp"

#include <ddb/es/aggregate_root.hpp>
#include <ddb/es/event_registry.hpp>
#include <ddb/es/projector.hpp>
#include <ddb/es/replay.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;

namespace bank {

struct opened {
    std::string owner{};
};
BOOST_DESCRIBE_STRUCT(opened, (), (owner))

struct deposited {
    std::int64_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(deposited, (), (amount))

struct withdrawn {
    std::int64_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(withdrawn, (), (amount))

// Never registered.
struct unregistered {
    int x = 0;
};
BOOST_DESCRIBE_STRUCT(unregistered, (), (x))

struct account : aggregate_root<account, opened, deposited, withdrawn> {
    std::string owner{};
    std::int64_t balance = 0;

    void open(std::string who) { record(opened{std::move(who)}); }
    void deposit(std::int64_t n) { record(deposited{n}); }
    void withdraw(std::int64_t n) { record(withdrawn{n}); }

    void apply(const opened& e) { owner = e.owner; }
    void apply(const deposited& e) { balance += e.amount; }
    void apply(const withdrawn& e) { balance -= e.amount; }
};

event_registry make_registry() {
    event_registry reg;
    reg.add<opened>("account.opened")
        .add<deposited>("account.deposited")
        .add<withdrawn>("account.withdrawn");
    return reg;
}

} // namespace bank

using namespace bank;

namespace {

template <class B>
struct fixture {
    store<B> s;
    event_registry reg = make_registry();
    repositories repos{*s.events, reg};

    account create(const std::string& uuid) { return account::create(repos, uuid); }

    projected_persist persist(account& a, projectionist& p) {
        return s.run([&a, &p]() -> awaitable<projected_persist> {
            account* acc = &a;
            projectionist* pr = &p;
            co_return co_await persist_and_project(*acc, *pr);
        });
    }
    std::vector<stored_event> persist(account& a) {
        return s.run([&a]() -> awaitable<std::vector<stored_event>> {
            account* acc = &a;
            co_return co_await acc->persist();
        });
    }
    replay_result replay_from(projectionist& p, std::int64_t from,
                              replay_progress_fn progress = {}) {
        return s.run([&]() -> awaitable<replay_result> {
            event_repository* events = s.events.get();
            projectionist* pr = &p;
            replay_progress_fn fn = progress;
            co_return co_await replay(*events, *pr, from, fn);
        });
    }
    std::vector<std::int64_t> all_ids() {
        std::vector<std::int64_t> ids;
        for (auto& e : s.all(s.events->retrieve_all()))
            ids.push_back(e.id);
        return ids;
    }
};

/// A projector keeping balances, with a log of what it saw.
struct balances {
    std::map<std::string, std::int64_t> by_account{};
    std::vector<std::int64_t> seen{};
    int resets = 0;
    projector handlers;

    explicit balances(const event_registry& reg)
        : handlers(reg, "balances") {
        handlers
            .on<opened>([this](const opened&, const stored_event& se) {
                by_account[*se.aggregate_uuid] = 0;
                seen.push_back(se.id);
            })
            .on<deposited>([this](const deposited& e, const stored_event& se) {
                by_account[*se.aggregate_uuid] += e.amount;
                seen.push_back(se.id);
            })
            .on<withdrawn>([this](const withdrawn& e, const stored_event& se) {
                by_account[*se.aggregate_uuid] -= e.amount;
                seen.push_back(se.id);
            })
            .on_reset([this] {
                by_account.clear();
                seen.clear();
                ++resets;
            });
    }
};

} // namespace

#define TRANSACTIONAL_BACKENDS memory_backend, moto_backend

TEMPLATE_TEST_CASE("projectionist: projectors then reactors run in order after persist", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    fixture<TestType> f;
    std::vector<std::string> log;

    projector first(f.reg, "first");
    first.on<opened>([&](const opened& e, const stored_event& se) {
        log.push_back("first:opened:" + e.owner + ":" + std::to_string(se.aggregate_version));
    });
    first.on<deposited>(
        [&](const deposited& e) { log.push_back("first:deposited:" + std::to_string(e.amount)); });
    // A coroutine handler.
    projector second(f.reg, "second");
    second.on<deposited>([&](const deposited& e) -> awaitable<void> {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        log.push_back("second:deposited:" + std::to_string(e.amount));
    });
    reactor mailer(f.reg, "mailer");
    mailer.on<opened>([&](const opened& e) { log.push_back("mailer:opened:" + e.owner); });
    mailer.on<deposited>([&](const deposited&, const stored_event& se) -> awaitable<void> {
        log.push_back("mailer:deposited:" + *se.aggregate_uuid);
        co_return;
    });

    projectionist p;
    // Reactors are added first: they still run after the projectors.
    p.add(mailer).add(first).add(second);

    auto a = f.create("acc-1");
    a.open("ann");
    a.deposit(5);
    auto r = f.persist(a, p);
    REQUIRE(r.events.size() == 2);
    CHECK(r.failures.empty());
    CHECK(log == std::vector<std::string>{"first:opened:ann:1", "mailer:opened:ann",
                                          "first:deposited:5", "second:deposited:5",
                                          "mailer:deposited:acc-1"});

    // Nothing recorded: nothing stored, no handler runs.
    log.clear();
    auto none = f.persist(a, p);
    CHECK(none.events.empty());
    CHECK(log.empty());

    // A conflicting persist runs no handler.
    auto stale = f.create("acc-1");
    stale.deposit(1);
    CHECK_THROWS_AS(f.persist(stale, p), concurrency_conflict);
    CHECK(log.empty());
}

TEMPLATE_TEST_CASE("projectionist: a throwing handler is reported and the others still run", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    fixture<TestType> f;
    std::vector<std::string> log;

    projector fragile(f.reg, "fragile");
    fragile.on<deposited>([&](const deposited& e) {
        if (e.amount == 13)
            throw std::runtime_error("unlucky amount");
        log.push_back("fragile:" + std::to_string(e.amount));
    });
    fragile.on<deposited>(
        [&](const deposited& e) { log.push_back("fragile-second:" + std::to_string(e.amount)); });
    projector coroutine(f.reg, "coroutine");
    coroutine.on<withdrawn>([&](const withdrawn&) -> awaitable<void> {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        throw std::logic_error("async failure");
    });
    projector sturdy(f.reg, "sturdy");
    sturdy.on<deposited>(
        [&](const deposited& e) { log.push_back("sturdy:" + std::to_string(e.amount)); });
    reactor mailer(f.reg, "mailer");
    mailer.on<deposited>(
        [&](const deposited& e) { log.push_back("mailer:" + std::to_string(e.amount)); });
    mailer.on<withdrawn>(
        [&](const withdrawn& e) { log.push_back("mailer-w:" + std::to_string(e.amount)); });

    std::vector<handler_failure> reported;
    projectionist p;
    p.add(fragile).add(coroutine).add(sturdy).add(mailer);
    p.on_failure([&](const handler_failure& x) { reported.push_back(x); });

    auto a = f.create("acc-1");
    a.open("ann");
    a.deposit(13);
    a.deposit(2);
    a.withdraw(1);
    auto r = f.persist(a, p);
    REQUIRE(r.events.size() == 4);
    CHECK(log == std::vector<std::string>{"fragile-second:13", "sturdy:13", "mailer:13",
                                          "fragile:2", "fragile-second:2", "sturdy:2", "mailer:2",
                                          "mailer-w:1"});
    REQUIRE(r.failures.size() == 2);
    CHECK(r.failures[0].event_id == r.events[1].id);
    CHECK(r.failures[0].event_class == "account.deposited");
    CHECK(r.failures[0].handler == "fragile");
    CHECK(r.failures[0].message == "unlucky amount");
    CHECK(r.failures[0].error);
    CHECK(r.failures[1].event_id == r.events[3].id);
    CHECK(r.failures[1].event_class == "account.withdrawn");
    CHECK(r.failures[1].handler == "coroutine");
    CHECK(r.failures[1].message == "async failure");
    REQUIRE(reported.size() == 2);
    CHECK(reported[0].event_id == r.events[1].id);
    CHECK(reported[1].event_id == r.events[3].id);

    // Nothing is undone: the events are stored.
    CHECK(f.all_ids().size() == 4);
    CHECK(a.persisted_version() == 4);
}

TEMPLATE_TEST_CASE("replay: global id order across aggregates, reset from 0, no reactors", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    fixture<TestType> f;
    // Interleaved persists of three aggregates.
    auto a = f.create("acc-a");
    auto b = f.create("acc-b");
    auto c = f.create("acc-c");
    a.open("ann");
    f.persist(a);
    b.open("bob");
    b.deposit(7);
    f.persist(b);
    a.deposit(10);
    f.persist(a);
    c.open("cy");
    f.persist(c);
    b.withdraw(2);
    a.withdraw(3);
    f.persist(b);
    f.persist(a);

    auto ids = f.all_ids();
    REQUIRE(ids.size() == 7);
    CHECK(std::is_sorted(ids.begin(), ids.end()));

    balances model(f.reg);
    model.by_account["stale"] = 99; // cleared by the reset
    int reactions = 0;
    reactor mailer(f.reg, "mailer");
    mailer.on<opened>([&](const opened&) { ++reactions; });
    mailer.on<deposited>([&](const deposited&) { ++reactions; });
    projectionist p;
    p.add(model.handlers).add(mailer);

    std::vector<replay_progress> progress;
    auto r = f.replay_from(p, 0, [&](const replay_progress& x) {
        progress.push_back(x);
        return true;
    });
    CHECK(r.completed);
    CHECK(r.replayed == 7);
    CHECK(r.failures == 0);
    CHECK(r.checkpoint == ids.back());
    CHECK(model.resets == 1);
    CHECK(model.seen == ids);
    CHECK(model.by_account ==
          std::map<std::string, std::int64_t>{{"acc-a", 7}, {"acc-b", 5}, {"acc-c", 0}});
    CHECK(reactions == 0);
    REQUIRE(progress.size() == 8);
    CHECK(progress.front().done == 0);
    CHECK(progress.front().total == 7);
    CHECK(progress.back().done == 7);
    CHECK(progress.back().total == 7);
    CHECK(progress.back().last_id == ids.back());
    CHECK(progress.back().events_per_second > 0);

    // New events, then a resume from the checkpoint: no reset, only the
    // new events.
    c.deposit(4);
    f.persist(c);
    auto resumed = f.replay_from(p, r.checkpoint + 1);
    CHECK(resumed.completed);
    CHECK(resumed.replayed == 1);
    CHECK(model.resets == 1);
    ids = f.all_ids();
    CHECK(model.seen == ids);
    CHECK(resumed.checkpoint == ids.back());
    CHECK(model.by_account.at("acc-c") == 4);
    CHECK(reactions == 0);

    // Nothing new: the checkpoint stays.
    auto idle = f.replay_from(p, resumed.checkpoint + 1);
    CHECK(idle.completed);
    CHECK(idle.replayed == 0);
    CHECK(idle.checkpoint == resumed.checkpoint);

    // A full replay again: reset, same model.
    auto again = f.replay_from(p, 0);
    CHECK(model.resets == 2);
    CHECK(again.replayed == 8);
    CHECK(model.seen == ids);
    CHECK(model.by_account.at("acc-a") == 7);
    CHECK(reactions == 0);
}

TEMPLATE_TEST_CASE("replay: stop in the middle, resume from the checkpoint", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    fixture<TestType> f;
    auto a = f.create("acc-a");
    auto b = f.create("acc-b");
    a.open("ann");
    b.open("bob");
    f.persist(a);
    f.persist(b);
    a.deposit(1);
    f.persist(a);
    b.deposit(2);
    f.persist(b);
    a.deposit(3);
    b.deposit(4);
    f.persist(a);
    f.persist(b);
    auto ids = f.all_ids();
    REQUIRE(ids.size() == 6);

    balances model(f.reg);
    // A failing projector does not stop the replay; failures are counted.
    projector fragile(f.reg, "fragile");
    fragile.on<deposited>([](const deposited& e) {
        if (e.amount == 2)
            throw std::runtime_error("two");
    });
    std::vector<handler_failure> reported;
    projectionist p;
    p.add(model.handlers).add(fragile);
    p.on_failure([&](const handler_failure& x) { reported.push_back(x); });

    auto first = f.replay_from(p, 0, [](const replay_progress& x) { return x.done < 3; });
    CHECK_FALSE(first.completed);
    CHECK(first.replayed == 3);
    CHECK(first.checkpoint == ids[2]);
    CHECK(model.seen == std::vector<std::int64_t>(ids.begin(), ids.begin() + 3));
    CHECK(model.resets == 1);

    std::int64_t total = -1;
    auto second = f.replay_from(p, first.checkpoint + 1, [&](const replay_progress& x) {
        total = x.total;
        return true;
    });
    CHECK(second.completed);
    CHECK(second.replayed == 3);
    CHECK(total == 3);
    CHECK(second.checkpoint == ids.back());
    CHECK(model.resets == 1);
    // Each event exactly once overall.
    CHECK(model.seen == ids);
    CHECK(model.by_account == std::map<std::string, std::int64_t>{{"acc-a", 4}, {"acc-b", 6}});
    CHECK(first.failures + second.failures == 1);
    REQUIRE(reported.size() == 1);
    CHECK(reported[0].handler == "fragile");
    CHECK(reported[0].message == "two");
    CHECK(reported[0].event_class == "account.deposited");

    // Stopping before the first event: nothing replayed, the checkpoint
    // is the one before from_id.
    auto none = f.replay_from(p, ids[4], [](const replay_progress&) { return false; });
    CHECK(none.replayed == 0);
    CHECK(none.checkpoint == ids[4] - 1);
}

TEMPLATE_TEST_CASE("replay: one aggregate, coroutine reset, undecodable events reported", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    fixture<TestType> f;
    projector bad(f.reg, "bad");
    CHECK_THROWS_AS(bad.on<unregistered>([](const unregistered&) {}), event_error);

    auto a = f.create("acc-a");
    auto b = f.create("acc-b");
    a.open("ann");
    b.open("bob");
    f.persist(a);
    f.persist(b);
    // Stored by hand with properties that do not decode.
    new_event broken;
    broken.event_class = "account.deposited";
    broken.properties = boost::json::object{{"amount", "lots"}};
    auto stored = f.s.run([&]() -> awaitable<std::vector<stored_event>> {
        std::string uuid = "acc-a";
        std::vector<new_event> list{broken};
        co_return co_await f.s.events->append(uuid, expected_version::exact(1), std::move(list));
    });
    REQUIRE(stored.size() == 1);

    balances model(f.reg);
    int async_resets = 0;
    model.handlers.on_reset([&]() -> awaitable<void> {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        ++async_resets;
    });
    projectionist p;
    p.add(model.handlers);

    replay_options options;
    options.aggregate_uuid = "acc-a";
    std::int64_t total = 0;
    options.progress = [&](const replay_progress& x) {
        total = x.total;
        return true;
    };
    auto r = f.s.run([&]() -> awaitable<replay_result> {
        event_repository* events = f.s.events.get();
        replay_options o = options;
        co_return co_await replay(*events, p, std::move(o));
    });
    CHECK(r.completed);
    CHECK(r.replayed == 2);
    CHECK(total == 2);
    CHECK(r.failures == 1);
    CHECK(r.checkpoint == stored[0].id);
    CHECK(model.resets == 1);
    CHECK(async_resets == 1);
    CHECK(model.by_account == std::map<std::string, std::int64_t>{{"acc-a", 0}});

    // The same failure through handle(): reported with the event's id.
    auto failures = f.s.run([&]() -> awaitable<std::vector<handler_failure>> {
        std::vector<stored_event> list = stored;
        co_return co_await p.handle(list);
    });
    REQUIRE(failures.size() == 1);
    CHECK(failures[0].event_id == stored[0].id);
    CHECK(failures[0].event_class == "account.deposited");
    CHECK(failures[0].handler == "balances");
    CHECK_FALSE(failures[0].message.empty());
}
