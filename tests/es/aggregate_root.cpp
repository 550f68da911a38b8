// Typed events (event_registry, event_codec, event_metadata) and aggregate
// roots (load, record, persist, snapshot, persist_in_transaction,
// retry_on_conflict), with append_all underneath, on the in-memory store and
// on moto (dynalite has no transactions).
#include "backend.hpp"

#include <ddb/es/aggregate_root.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/es/event_metadata.hpp>
#include <ddb/es/event_registry.hpp>

#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;

// ---- The events and aggregates of the tests -------------------------------

namespace bank {

struct opened {
    std::string owner{};
};
BOOST_DESCRIBE_STRUCT(opened, (), (owner))

// Version 2: version 1 stored the amount as "cents".
struct deposited {
    std::int64_t amount = 0;
    std::optional<std::string> note{};
};
BOOST_DESCRIBE_STRUCT(deposited, (), (amount, note))

// Not described: a Boost.JSON conversion of its own.
struct withdrawn {
    std::int64_t amount = 0;
};
void tag_invoke(json::value_from_tag, json::value& v, const withdrawn& w) {
    v = {{"amount", w.amount}};
}
withdrawn tag_invoke(json::value_to_tag<withdrawn>, const json::value& v) {
    return withdrawn{v.at("amount").as_int64()};
}

// Its handler does nothing.
struct noted {
    std::string text{};
};
BOOST_DESCRIBE_STRUCT(noted, (), (text))

// Registered, but no aggregate below lists it.
struct closed {
    std::string reason{};
};
BOOST_DESCRIBE_STRUCT(closed, (), (reason))

// Never registered.
struct unregistered {
    int x = 0;
};
BOOST_DESCRIBE_STRUCT(unregistered, (), (x))

struct account : aggregate_root<account, opened, deposited, withdrawn, noted> {
    std::string owner{};
    std::int64_t balance = 0;
    // Not part of the state (not described): how many events changed it
    // since this object was made.
    int handled = 0;

    void open(std::string who) { record(opened{std::move(who)}); }
    void deposit(std::int64_t n, json::object meta = {}) {
        record(deposited{n, std::nullopt}, std::move(meta));
    }
    void withdraw(std::int64_t n) {
        if (n > balance)
            throw std::runtime_error("insufficient funds");
        record(withdrawn{n});
    }
    void note(std::string text) { record(noted{std::move(text)}); }

    void apply(const opened& e) {
        owner = e.owner;
        ++handled;
    }
    void apply(const deposited& e) {
        balance += e.amount;
        ++handled;
    }
    void apply(const withdrawn& e) {
        balance -= e.amount;
        ++handled;
    }
    void apply(const noted&) {}
};
BOOST_DESCRIBE_STRUCT(account, (), (owner, balance))

struct incremented {
    int by = 1;
};
BOOST_DESCRIBE_STRUCT(incremented, (), (by))

// Private handlers and private described state.
class counter : public aggregate_root<counter, incremented> {
public:
    void increment(int by = 1) { record(incremented{by}); }
    int count() const { return count_; }

private:
    friend ddb::es::aggregate_access;
    void apply(const incremented& e) { count_ += e.by; }
    int count_ = 0;
    BOOST_DESCRIBE_CLASS(counter, (), (), (), (count_))
};

struct entry_added {
    std::string text{};
};
BOOST_DESCRIBE_STRUCT(entry_added, (), (text))

// Its own snapshot format (lines of text).
class ledger : public aggregate_root<ledger, entry_added> {
public:
    void add(std::string text) { record(entry_added{std::move(text)}); }
    const std::vector<std::string>& entries() const { return entries_; }
    int restored = 0;

private:
    friend ddb::es::aggregate_access;
    void apply(const entry_added& e) { entries_.push_back(e.text); }
    std::vector<std::uint8_t> snapshot_state() const {
        std::string text;
        for (auto& e : entries_)
            text += e + "\n";
        return {text.begin(), text.end()};
    }
    void restore_state(const std::vector<std::uint8_t>& state) {
        entries_.clear();
        std::string line;
        for (auto c : state) {
            if (c == '\n') {
                entries_.push_back(line);
                line.clear();
            } else {
                line.push_back(static_cast<char>(c));
            }
        }
        ++restored;
    }
    std::vector<std::string> entries_;
};

event_registry make_registry() {
    event_registry reg;
    reg.add<opened>("account.opened")
        .add<deposited>("account.deposited", 2)
        .add<withdrawn>("account.withdrawn")
        .add<noted>("account.noted")
        .add<closed>("account.closed")
        .add<incremented>("counter.incremented")
        .add<entry_added>("ledger.entry-added");
    reg.upcast("account.deposited", 1, [](json::object p) {
        p["amount"] = p.at("cents");
        p.erase("cents");
        return p;
    });
    return reg;
}

} // namespace bank

using namespace bank;

namespace {

/// A store, the registry and the repositories handle, with blocking helpers
/// (each runs one coroutine to completion).
template <class B>
struct bank_fixture {
    store<B> s;
    event_registry reg = make_registry();
    repositories repos{*s.events, *s.snapshots, reg};

    template <class A = account>
    A load(const std::string& uuid) {
        return s.run([this, uuid]() -> awaitable<A> {
            repositories r = repos;
            std::string u = uuid;
            co_return co_await A::load(r, u);
        });
    }
    template <class A = account>
    A create(const std::string& uuid) {
        return A::create(repos, uuid);
    }
    template <class A>
    std::vector<stored_event> persist(A& a) {
        return s.run([&a]() -> awaitable<std::vector<stored_event>> {
            A* p = &a;
            co_return co_await p->persist();
        });
    }
    template <class A>
    void snapshot(A& a) {
        s.run([&a]() -> awaitable<void> {
            A* p = &a;
            co_await p->snapshot();
        });
    }
    template <class... A>
    std::vector<stored_event> in_transaction(A&... a) {
        return s.run([&]() -> awaitable<std::vector<stored_event>> {
            repositories r = repos;
            co_return co_await persist_in_transaction(r, a...);
        });
    }
    std::vector<stored_event> append(const std::string& uuid, expected_version v,
                                     std::vector<new_event> events) {
        return s.run([&]() -> awaitable<std::vector<stored_event>> {
            std::string u = uuid;
            expected_version expected = v;
            std::vector<new_event> list = std::move(events);
            co_return co_await s.events->append(u, expected, std::move(list));
        });
    }
    std::vector<std::vector<stored_event>> append_all(std::vector<append_request> requests) {
        return s.run([&]() -> awaitable<std::vector<std::vector<stored_event>>> {
            std::vector<append_request> list = std::move(requests);
            co_return co_await s.events->append_all(std::move(list));
        });
    }
    std::int64_t latest(const std::string& uuid) {
        return s.run([&]() -> awaitable<std::int64_t> {
            std::string u = uuid;
            co_return co_await s.events->latest_aggregate_version(u);
        });
    }
    std::optional<ddb::es::snapshot> stored_snapshot(const std::string& uuid) {
        return s.run([&]() -> awaitable<std::optional<ddb::es::snapshot>> {
            std::string u = uuid;
            co_return co_await s.snapshots->retrieve(u);
        });
    }
    void put_snapshot(ddb::es::snapshot snap) {
        s.run([&]() -> awaitable<void> {
            ddb::es::snapshot copy = snap;
            co_await s.snapshots->persist(std::move(copy));
        });
    }
};

new_event raw(std::string name, int version, json::value properties) {
    new_event e{.event_class = std::move(name),
                .event_version = version,
                .properties = std::move(properties)};
    return e;
}

new_event text_event(const std::string& uuid_hint, std::size_t padding = 0) {
    return raw("account.noted", 1, json::object{{"text", uuid_hint + std::string(padding, 'x')}});
}

} // namespace

#define TRANSACTIONAL_BACKENDS memory_backend, moto_backend

// ---- Aggregate roots ---------------------------------------------------------

TEMPLATE_TEST_CASE("aggregate: the version counts every applied event, handled or not", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto a = f.create("acc-1");
    CHECK(a.version() == 0);
    a.open("ann");
    a.note("a note changes nothing");
    a.deposit(10);
    CHECK(a.version() == 3);
    CHECK(a.handled == 2);
    CHECK(a.persisted_version() == 0);
    REQUIRE(a.recorded_events().size() == 3);
    CHECK(std::holds_alternative<noted>(a.recorded_events()[1]));

    auto stored = f.persist(a);
    REQUIRE(stored.size() == 3);
    CHECK(stored[1].event_class == "account.noted");
    CHECK(stored[2].aggregate_version == 3);
    CHECK(a.persisted_version() == 3);

    auto b = f.load("acc-1");
    CHECK(b.version() == 3);
    CHECK(b.handled == 2);
}

TEMPLATE_TEST_CASE("aggregate: record, persist and load round trip", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto a = f.load("acc-1");
    CHECK(a.version() == 0);
    CHECK(a.uuid() == "acc-1");
    a.open("ann");
    a.deposit(100, json::object{{"user", "u-7"}, {"reason", "salary"}});
    a.withdraw(30);
    CHECK_THROWS_AS(a.withdraw(1000), std::runtime_error);
    CHECK(a.version() == 3);
    auto stored = f.persist(a);
    REQUIRE(stored.size() == 3);
    CHECK(a.recorded_events().empty());
    CHECK(stored[0].event_class == "account.opened");
    CHECK(stored[1].event_class == "account.deposited");
    CHECK(stored[1].event_version == 2);
    CHECK(stored[1].event_properties == json::value{{"amount", 100}, {"note", nullptr}});
    CHECK(stored[2].event_properties == json::value{{"amount", 30}});

    // Metadata: the store's keys and the user's.
    event_metadata md(stored[1]);
    CHECK(md.stored_event_id() == stored[1].id);
    CHECK(md.aggregate_root_uuid() == std::optional<std::string>("acc-1"));
    CHECK(md.aggregate_root_version() == 2);
    REQUIRE(md.created_at());
    CHECK(*md.created_at() == stored[1].created_at);
    CHECK(md.get<std::string>("user") == std::optional<std::string>("u-7"));
    CHECK_FALSE(md.get<std::string>("absent"));
    CHECK(md.user_keys() == json::object{{"user", "u-7"}, {"reason", "salary"}});

    auto b = f.load("acc-1");
    CHECK(b.owner == "ann");
    CHECK(b.balance == 70);
    CHECK(b.version() == 3);
    CHECK(b.persisted_version() == 3);
    CHECK(b.recorded_events().empty());

    // Nothing recorded: nothing to do.
    CHECK(f.persist(b).empty());
    b.deposit(5);
    auto more = f.persist(b);
    REQUIRE(more.size() == 1);
    CHECK(more[0].aggregate_version == 4);
    CHECK(f.load("acc-1").balance == 75);
}

TEMPLATE_TEST_CASE("aggregate: a snapshot stores the state and the version", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto a = f.create("acc-1");
    a.open("ann");
    a.deposit(40);
    a.note("x");
    // Not with events that are not persisted.
    CHECK_THROWS_AS(f.snapshot(a), es_error);
    f.persist(a);
    f.snapshot(a);
    auto snap = f.stored_snapshot("acc-1");
    REQUIRE(snap);
    CHECK(snap->aggregate_version == 3);
    auto state = json::parse(std::string(snap->state.begin(), snap->state.end()));
    CHECK(state == json::value{{"owner", "ann"}, {"balance", 40}});
}

TEMPLATE_TEST_CASE("aggregate: load from a snapshot applies only the later events", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto a = f.create("acc-1");
    a.open("ann");
    a.deposit(10);
    a.deposit(20);
    f.persist(a);
    f.snapshot(a);
    a.deposit(1);
    a.withdraw(2);
    f.persist(a);

    auto b = f.load("acc-1");
    CHECK(b.handled == 2); // the two after the snapshot
    CHECK(b.owner == "ann");
    CHECK(b.balance == 29);
    CHECK(b.version() == 5);
    CHECK(b.persisted_version() == 5);
    b.deposit(1);
    CHECK(f.persist(b).front().aggregate_version == 6);

    // Without a snapshot repository every event is applied.
    repositories no_snapshots(*f.s.events, f.reg);
    auto c = f.s.run([&]() -> awaitable<account> {
        repositories r = no_snapshots;
        std::string u = "acc-1";
        co_return co_await account::load(r, u);
    });
    CHECK(c.handled == 6);
    CHECK(c.balance == 30);
}

TEMPLATE_TEST_CASE("aggregate: the newest snapshot is used", "[es]", TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto a = f.create("acc-1");
    a.open("ann");
    a.deposit(1);
    f.persist(a);
    f.snapshot(a); // version 2
    a.deposit(2);
    a.deposit(3);
    f.persist(a);
    f.snapshot(a); // version 4
    a.deposit(4);
    f.persist(a);

    auto b = f.load("acc-1");
    CHECK(b.handled == 1);
    CHECK(b.balance == 10);
    CHECK(b.version() == 5);
}

TEMPLATE_TEST_CASE("aggregate: a snapshot whose state does not fit is replaced by a replay", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto a = f.create("acc-1");
    a.open("ann");
    a.deposit(5);
    f.persist(a);
    std::string bad = R"({"owner":"ann","balance":"not a number"})";
    f.put_snapshot(
        ddb::es::snapshot{"acc-1", 2, std::vector<std::uint8_t>(bad.begin(), bad.end())});
    auto b = f.load("acc-1");
    CHECK(b.handled == 2);
    CHECK(b.balance == 5);
    CHECK(b.version() == 2);
}

TEMPLATE_TEST_CASE("aggregate: private handlers, private described state, custom state", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto c = f.template create<counter>("counter-1");
    c.increment(2);
    c.increment(3);
    f.persist(c);
    f.snapshot(c);
    auto snap = f.stored_snapshot("counter-1");
    REQUIRE(snap);
    CHECK(std::string(snap->state.begin(), snap->state.end()) == R"({"count_":5})");
    c.increment();
    f.persist(c);
    auto c2 = f.template load<counter>("counter-1");
    CHECK(c2.count() == 6);
    CHECK(c2.version() == 3);

    auto l = f.template create<ledger>("ledger-1");
    l.add("one");
    l.add("two");
    f.persist(l);
    f.snapshot(l);
    l.add("three");
    f.persist(l);
    auto l2 = f.template load<ledger>("ledger-1");
    CHECK(l2.restored == 1);
    CHECK(l2.entries() == std::vector<std::string>{"one", "two", "three"});
    CHECK(l2.version() == 3);
}

TEMPLATE_TEST_CASE("aggregate: persisting after another writer is a concurrency conflict", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto a = f.create("acc-1");
    a.open("ann");
    f.persist(a);

    auto first = f.load("acc-1");
    auto second = f.load("acc-1");
    first.deposit(10);
    first.deposit(10);
    f.persist(first);
    second.deposit(5);
    try {
        f.persist(second);
        FAIL("expected a conflict");
    } catch (const concurrency_conflict& e) {
        CHECK(e.aggregate_uuid() == "acc-1");
        CHECK(e.expected() == 1);
        CHECK(e.actual() == 3);
    }
    // The queue is kept; the store has the first writer's events only.
    CHECK(second.recorded_events().size() == 1);
    CHECK(second.persisted_version() == 1);
    CHECK(f.latest("acc-1") == 3);
    CHECK(f.load("acc-1").balance == 20);

    // A new aggregate whose uuid is taken conflicts too.
    auto fresh = f.create("acc-1");
    fresh.open("bob");
    CHECK_THROWS_AS(f.persist(fresh), concurrency_conflict);
}

TEMPLATE_TEST_CASE("aggregate: persist_in_transaction is all or nothing", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto x = f.create("acc-x");
    x.open("xavier");
    auto y = f.create("acc-y");
    y.open("yves");
    auto c = f.template create<counter>("counter-1"); // another aggregate type
    c.increment();
    auto all = f.in_transaction(x, y, c);
    CHECK(all.size() == 3);
    CHECK(x.persisted_version() == 1);
    CHECK(y.persisted_version() == 1);
    CHECK(c.persisted_version() == 1);

    // Someone else moves y on.
    auto other_y = f.load("acc-y");
    other_y.deposit(1);
    f.persist(other_y);

    x.deposit(10);
    y.deposit(20);                                     // stale: y is at 2 now
    auto idle = f.template load<counter>("counter-1"); // nothing recorded: skipped
    try {
        f.in_transaction(x, y, idle);
        FAIL("expected a conflict");
    } catch (const concurrency_conflict& e) {
        CHECK(e.aggregate_uuid() == "acc-y");
        CHECK(e.expected() == 1);
        CHECK(e.actual() == 2);
    }
    CHECK(f.latest("acc-x") == 1); // nothing of x was written
    CHECK(f.latest("acc-y") == 2);
    CHECK(x.recorded_events().size() == 1);
    CHECK(y.recorded_events().size() == 1);

    // Reload the stale one, redo its command: both go through.
    y = f.load("acc-y");
    y.deposit(20);
    auto stored = f.in_transaction(x, y);
    REQUIRE(stored.size() == 2);
    CHECK(stored[0].aggregate_uuid == std::optional<std::string>("acc-x"));
    CHECK(stored[0].aggregate_version == 2);
    CHECK(stored[1].aggregate_version == 3);
    CHECK(f.load("acc-x").balance == 10);
    CHECK(f.load("acc-y").balance == 21);
    CHECK(x.recorded_events().empty());

    // The same aggregate twice is refused.
    auto again = f.load("acc-x");
    again.deposit(1);
    CHECK_THROWS_AS(f.in_transaction(again, again), es_error);
}

TEMPLATE_TEST_CASE("aggregate: a persist retried after its events were stored returns them", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto blocker = f.create("acc-b");
    blocker.open("bea");
    f.persist(blocker);
    auto stale = f.create("acc-b"); // at version 0: conflicts
    stale.open("bob");
    auto a = f.create("acc-a");
    a.open("ann");
    a.deposit(7);
    // A first attempt that fails definitely gives a's events their ids.
    CHECK_THROWS_AS(f.in_transaction(a, stale), concurrency_conflict);
    CHECK(f.latest("acc-a") == 0);
    // The same pending events (same ids) stored by one copy, as if its
    // answer had been lost; the other copy's persist is the retry.
    auto retry = a;
    auto stored = f.persist(a);
    REQUIRE(stored.size() == 2);
    auto again = f.persist(retry);
    CHECK(again == stored); // as stored, not a conflict, not stored twice
    CHECK(retry.recorded_events().empty());
    CHECK(retry.persisted_version() == 2);
    CHECK(f.latest("acc-a") == 2);
    CHECK(f.load("acc-a").balance == 7);

    // Events recorded before the retry follow the stored ones.
    auto b = f.create("acc-c");
    b.open("cid");
    stale.deposit(1);
    CHECK_THROWS_AS(f.in_transaction(b, stale), concurrency_conflict);
    auto b_retry = b;
    f.persist(b);
    b_retry.deposit(3);
    auto more = f.persist(b_retry);
    REQUIRE(more.size() == 2);
    CHECK(more[1].aggregate_version == 2);
    CHECK(f.latest("acc-c") == 2);
    CHECK(f.load("acc-c").balance == 3);
}

TEMPLATE_TEST_CASE("aggregate: retry_on_conflict resolves a race", "[es]", TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto a = f.create("acc-1");
    a.open("ann");
    f.persist(a);

    // A coroutine command; while its first attempt runs, another copy
    // persists first.
    int attempts = 0;
    auto* fx = &f;
    auto result = f.s.run([fx, &attempts]() -> awaitable<account> {
        repositories r = fx->repos;
        std::string u = "acc-1";
        auto command = [fx, &attempts](account& mine) -> awaitable<void> {
            ++attempts;
            if (attempts == 1) {
                repositories rr = fx->repos;
                std::string uu = mine.uuid();
                auto theirs = co_await account::load(rr, uu);
                theirs.deposit(7);
                co_await theirs.persist();
            }
            mine.deposit(5);
        };
        co_return co_await retry_on_conflict<account>(r, u, command);
    });
    CHECK(attempts == 2);
    CHECK(result.balance == 12);
    CHECK(result.version() == 3);
    CHECK(f.load("acc-1").balance == 12);

    // A plain command, no race: one attempt.
    int plain = 0;
    auto second = f.s.run([fx, &plain]() -> awaitable<account> {
        repositories r = fx->repos;
        std::string u = "acc-1";
        auto command = [&plain](account& mine) {
            ++plain;
            mine.withdraw(2);
        };
        co_return co_await retry_on_conflict<account>(r, u, command);
    });
    CHECK(plain == 1);
    CHECK(second.balance == 10);

    // Always losing: the conflict after max_attempts.
    int losing = 0;
    CHECK_THROWS_AS(f.s.run([fx, &losing]() -> awaitable<account> {
        repositories r = fx->repos;
        std::string u = "acc-1";
        auto command = [fx, &losing](account& mine) -> awaitable<void> {
            ++losing;
            repositories rr = fx->repos;
            std::string uu = mine.uuid();
            auto theirs = co_await account::load(rr, uu);
            theirs.note("first");
            co_await theirs.persist();
            mine.deposit(1);
        };
        co_return co_await retry_on_conflict<account>(r, u, command, 3);
    }),
                    concurrency_conflict);
    CHECK(losing == 3);
}

// ---- Typed events --------------------------------------------------------------

TEMPLATE_TEST_CASE("typed events: an unknown name is a typed error with the id", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto stored = f.append("acc-1", expected_version::no_stream(),
                           {raw("account.opened", 1, json::object{{"owner", "ann"}}),
                            raw("account.mystery", 1, json::object{})});
    try {
        f.load("acc-1");
        FAIL("expected unknown_event");
    } catch (const unknown_event& e) {
        CHECK(e.kind() == event_errc::unknown_event);
        CHECK(e.code().category().name() == std::string("ddb.es.event"));
        CHECK(e.event_id() == stored[1].id);
        CHECK(e.event_class() == "account.mystery");
        CHECK(e.aggregate_uuid() == std::optional<std::string>("acc-1"));
        CHECK(e.aggregate_version() == 2);
        CHECK_THAT(e.what(), Catch::Contains(std::to_string(stored[1].id)));
    }
}

TEMPLATE_TEST_CASE("typed events: properties that do not fit are a typed error with the id", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    auto wrong_type = f.append("acc-1", expected_version::no_stream(),
                               {raw("account.deposited", 2, json::object{{"amount", "lots"}})});
    try {
        f.load("acc-1");
        FAIL("expected event_properties_mismatch");
    } catch (const event_properties_mismatch& e) {
        CHECK(e.event_id() == wrong_type[0].id);
        CHECK(e.event_class() == "account.deposited");
        CHECK(e.detail() == "amount: expected a number, found string");
    }
    auto missing = f.append("acc-2", expected_version::no_stream(),
                            {raw("account.deposited", 2, json::object{{"note", "no amount"}})});
    try {
        f.load("acc-2");
        FAIL("expected event_properties_mismatch");
    } catch (const event_properties_mismatch& e) {
        CHECK(e.event_id() == missing[0].id);
        CHECK(e.detail() == "amount: missing");
    }
    // A user conversion's failure (withdrawn reads "amount" with at()).
    auto custom = f.append("acc-3", expected_version::no_stream(),
                           {raw("account.withdrawn", 1, json::object{{"sum", 1}})});
    CHECK_THROWS_AS(f.load("acc-3"), event_properties_mismatch);
    // Extra keys are ignored, a missing optional is empty.
    f.append("acc-4", expected_version::no_stream(),
             {raw("account.deposited", 2, json::object{{"amount", 3}, {"extra", true}})});
    CHECK(f.load("acc-4").balance == 3);
    // A registered event the aggregate does not list.
    auto foreign = f.append("acc-5", expected_version::no_stream(),
                            {raw("account.closed", 1, json::object{{"reason", "x"}})});
    try {
        f.load("acc-5");
        FAIL("expected unexpected_event");
    } catch (const unexpected_event& e) {
        CHECK(e.event_id() == foreign[0].id);
        CHECK(e.event_class() == "account.closed");
    }
}

TEMPLATE_TEST_CASE("typed events: version 1 is upcast to version 2", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    new_event v1{.event_class = "account.deposited",
                 .event_version = 1,
                 .properties = json::object{{"cents", 250}}};
    auto stored = f.append("acc-1", expected_version::no_stream(), {v1});
    REQUIRE(stored[0].event_version == 1);

    auto typed = f.reg.template decode<deposited>(stored[0]);
    CHECK(typed.amount == 250);
    CHECK_FALSE(typed.note);
    CHECK(f.reg.current_properties(stored[0]) == json::value{{"amount", 250}});

    auto a = f.load("acc-1");
    CHECK(a.balance == 250);
    a.deposit(1); // stored as version 2
    auto more = f.persist(a);
    CHECK(more[0].event_version == 2);
    CHECK(f.load("acc-1").balance == 251);

    // A version newer than the registered one; a missing step.
    auto newer = f.append("acc-2", expected_version::no_stream(),
                          {raw("account.deposited", 3, json::object{{"amount", 1}})});
    try {
        f.load("acc-2");
        FAIL("expected event_version_unsupported");
    } catch (const event_version_unsupported& e) {
        CHECK(e.kind() == event_errc::version_too_new);
        CHECK(e.event_id() == newer[0].id);
        CHECK(e.event_version() == 3);
        CHECK(e.registered_version() == 2);
    }
    event_registry reg3;
    reg3.add<deposited>("account.deposited", 3);
    reg3.upcast("account.deposited", 2, [](json::object p) { return p; });
    try {
        reg3.decode<deposited>(stored[0]);
        FAIL("expected event_version_unsupported");
    } catch (const event_version_unsupported& e) {
        CHECK(e.kind() == event_errc::missing_upcaster);
        CHECK(e.missing_step() == 1);
        CHECK(e.event_id() == stored[0].id);
    }
}

TEST_CASE("typed events: the registry's rules", "[es]") {
    event_registry reg = make_registry();
    auto e = reg.encode(deposited{5, std::string("gift")}, json::object{{"k", 1}});
    CHECK(e.event_class == "account.deposited");
    CHECK(e.event_version == 2);
    CHECK(e.properties == json::value{{"amount", 5}, {"note", "gift"}});
    CHECK(e.meta_data == json::object{{"k", 1}});
    CHECK(reg.name_of<withdrawn>() == "account.withdrawn");
    CHECK(reg.contains<opened>());
    CHECK(reg.contains("account.noted"));
    CHECK_FALSE(reg.contains("account.mystery"));
    CHECK(reg.version_of("account.deposited") == 2);

    try {
        reg.encode(unregistered{});
        FAIL("expected unregistered_type");
    } catch (const event_error& err) {
        CHECK(err.kind() == event_errc::unregistered_type);
    }
    auto kind_of = [](auto f) {
        try {
            f();
        } catch (const event_error& err) {
            return err.kind();
        }
        return event_errc{};
    };
    CHECK(kind_of([&] { reg.add<opened>("another-name"); }) == event_errc::invalid_registration);
    CHECK(kind_of([&] { reg.add<unregistered>("account.opened"); }) ==
          event_errc::invalid_registration);
    CHECK(kind_of([&] { reg.add<unregistered>("x", 0); }) == event_errc::invalid_registration);
    CHECK(kind_of([&] { reg.upcast("account.deposited", 1, [](json::object p) { return p; }); }) ==
          event_errc::invalid_registration);

    // Decoding into one type or a variant; the wrong type is unexpected.
    stored_event s;
    s.id = 42;
    s.event_class = "account.opened";
    s.event_properties = json::object{{"owner", "ann"}};
    CHECK(reg.decode<opened>(s).owner == "ann");
    auto v = reg.decode<std::variant<deposited, opened>>(s);
    CHECK(std::get<opened>(v).owner == "ann");
    CHECK_THROWS_AS(reg.decode<deposited>(s), unexpected_event);
    CHECK_THROWS_AS((reg.decode<std::variant<deposited, withdrawn>>(s)), unexpected_event);

    // Nested paths in messages.
    CHECK_THROWS_WITH(from_json<std::vector<deposited>>(json::parse(R"([{"amount":1},{}])")),
                      "[1].amount: missing");

    // The PHP framework's created-at format reads too.
    json::object meta{{"created-at", "2024-02-29 12:30:15"}, {"stored-event-id", "17"}};
    event_metadata md(meta);
    REQUIRE(md.created_at());
    CHECK(std::chrono::duration_cast<std::chrono::seconds>(md.created_at()->time_since_epoch())
              .count() == 1709209815);
    CHECK(md.stored_event_id() == 17);
    CHECK_FALSE(md.aggregate_root_uuid());
}

// ---- append_all ---------------------------------------------------------------------

TEMPLATE_TEST_CASE("append_all: several aggregates atomically", "[es]", TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    f.append("agg-b", expected_version::no_stream(), {text_event("b1"), text_event("b2")});

    std::vector<append_request> requests;
    requests.push_back(append_request{
        "agg-a", expected_version::no_stream(), {text_event("a1"), text_event("a2")}});
    requests.push_back(append_request{"agg-b", expected_version::exact(2), {text_event("b3")}});
    requests.push_back(append_request{"agg-c", expected_version::exact(0), {}}); // skipped
    requests.push_back(append_request{"agg-d", expected_version::any(), {text_event("d1")}});
    auto stored = f.append_all(std::move(requests));
    REQUIRE(stored.size() == 4);
    REQUIRE(stored[0].size() == 2);
    CHECK(stored[0][1].aggregate_version == 2);
    REQUIRE(stored[1].size() == 1);
    CHECK(stored[1][0].aggregate_version == 3);
    CHECK(stored[2].empty());
    CHECK(stored[3][0].aggregate_version == 1);
    CHECK(f.s.all(f.s.events->retrieve_all(std::string("agg-b"))).size() == 3);

    // `any` follows whatever is there.
    std::vector<append_request> any;
    any.push_back(append_request{"agg-b", expected_version::any(), {text_event("b4")}});
    any.push_back(append_request{"agg-a", expected_version::exact(2), {text_event("a3")}});
    auto after = f.append_all(std::move(any));
    CHECK(after[0][0].aggregate_version == 4);
    CHECK(after[1][0].aggregate_version == 3);

    // One stale request: nothing at all.
    std::vector<append_request> stale;
    stale.push_back(append_request{"agg-new", expected_version::no_stream(), {text_event("n1")}});
    stale.push_back(append_request{"agg-a", expected_version::exact(2), {text_event("a4")}});
    try {
        f.append_all(std::move(stale));
        FAIL("expected a conflict");
    } catch (const concurrency_conflict& e) {
        CHECK(e.aggregate_uuid() == "agg-a");
        CHECK(e.expected() == 2);
        CHECK(e.actual() == 3);
    }
    CHECK(f.latest("agg-new") == 0);
    CHECK(f.latest("agg-a") == 3);

    // The same aggregate twice.
    std::vector<append_request> twice;
    twice.push_back(append_request{"agg-a", expected_version::exact(3), {text_event("a4")}});
    twice.push_back(append_request{"agg-a", expected_version::exact(4), {text_event("a5")}});
    try {
        f.append_all(std::move(twice));
        FAIL("expected invalid_argument");
    } catch (const es_error& e) {
        CHECK(e.kind() == es_errc::invalid_argument);
    }
}

TEMPLATE_TEST_CASE("append_all: beyond one transaction is refused before sending", "[es]",
                   TRANSACTIONAL_BACKENDS) {
    bank_fixture<TestType> f;
    f.append("agg-b", expected_version::no_stream(), {text_event("b1")});

    // 99 puts + 1 check = 100 actions: fits.
    std::vector<append_request> fits;
    fits.push_back(append_request{"agg-b", expected_version::exact(1), {}});
    for (int i = 0; i < 99; ++i)
        fits[0].events.push_back(text_event("b"));
    CHECK(f.append_all(std::move(fits))[0].size() == 99);

    // 100 puts + 1 check: too many actions.
    std::vector<append_request> many;
    many.push_back(append_request{"agg-a", expected_version::no_stream(), {text_event("a")}});
    many.push_back(append_request{"agg-b", expected_version::exact(100), {}});
    for (int i = 0; i < 99; ++i)
        many[1].events.push_back(text_event("b"));
    try {
        f.append_all(std::move(many));
        FAIL("expected transaction_too_large");
    } catch (const transaction_too_large& e) {
        CHECK(e.kind() == event_errc::transaction_too_large);
        CHECK(e.actions() == 101);
    }
    CHECK(f.latest("agg-a") == 0);
    CHECK(f.latest("agg-b") == 100);

    // Over 4 MB.
    std::vector<append_request> big;
    big.push_back(append_request{"agg-c", expected_version::no_stream(), {}});
    for (int i = 0; i < 11; ++i)
        big[0].events.push_back(text_event("c", 380'000));
    try {
        f.append_all(std::move(big));
        FAIL("expected transaction_too_large");
    } catch (const transaction_too_large& e) {
        CHECK(e.actions() == 11);
        CHECK(e.bytes() > max_transaction_bytes);
    }
    CHECK(f.latest("agg-c") == 0);
}
