// Retrying an append after an unknown outcome: the client's own retries are
// off (max_attempts = 1), a fault-injecting proxy in front of moto or
// dynalite drops the answer after the server acted (or throttles), the caller
// sees the error and retries with the same event ids, and gets the stored
// events back, stored exactly once. dynalite has no transactions: there the
// appends are single events at version 0 (one conditional PutItem).
#include "backend.hpp"

#include "../support/fault_proxy.hpp"
#include "notebook.hpp"

#include <ddb/es/aggregate_root.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_registry.hpp>

#include <boost/describe.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;

namespace {

// An event store on backend B behind a fault proxy; the client does not
// retry, so every fault reaches the caller.
template <class B>
struct proxied {
    boost::asio::io_context ioc;
    ddb::test::fault_proxy proxy{ddb::test::local_server::endpoint(B::name)};
    store_config cfg;
    std::unique_ptr<client> c;
    std::unique_ptr<dynamodb_event_repository> events;
    event_registry registry;

    proxied() {
        auto config = ddb::test::config_for(proxy.endpoint());
        config.retry->max_attempts = 1;
        c = std::make_unique<client>(ioc.get_executor(), config);
        cfg.events_table = ddb::test::unique_table("retry-events");
        cfg.snapshots_table = ddb::test::unique_table("retry-snapshots");
        cfg.checkpoints_table = ddb::test::unique_table("retry-checkpoints");
        run([&]() -> awaitable<void> { co_await create_tables(*c, cfg); });
        events = std::make_unique<dynamodb_event_repository>(*c, cfg);
        registry.add<noted>("notebook.noted");
        // The first append records the store's first time bucket (one more
        // request); done here, so each test's fault hits its own write.
        append("warm-up", expected_version::no_stream(), {note_event("warm-up")});
    }
    ~proxied() {
        try {
            run([&]() -> awaitable<void> { co_await delete_tables(*c, cfg); });
        } catch (...) {
        }
    }

    template <class F>
    auto run(F&& make) {
        return ddb::test::complete(ioc, std::forward<F>(make));
    }

    // The next write's answer is lost after the server acted. Twice: the
    // transport resends a request once on a fresh connection when a pooled
    // one was closed before any byte of the answer (it may have been idle
    // too long); the resend fails too, and the caller sees the error.
    void lose_next_answer() {
        proxy.push({ddb::test::fault::close_after_forward});
        proxy.push({ddb::test::fault::close_after_forward});
    }

    new_event note_event(const std::string& text, bool with_id = false) {
        new_event e;
        e.event_class = "notebook.noted";
        e.properties = {{"text", text}};
        if (with_id)
            e.id = events->new_id();
        return e;
    }
    std::vector<stored_event> append(const std::string& uuid, expected_version v,
                                     std::vector<new_event> batch) {
        return run([&]() -> awaitable<std::vector<stored_event>> {
            co_return co_await events->append(uuid, v, std::move(batch));
        });
    }
    std::vector<stored_event> all(const std::string& uuid) {
        return run([&]() -> awaitable<std::vector<stored_event>> {
            std::vector<stored_event> out;
            auto gen = events->retrieve_all(uuid, read_options{.consistent_read = true});
            while (auto e = co_await gen.next())
                out.push_back(std::move(*e));
            co_return out;
        });
    }
};

// Runs `f`, which must fail with a client (transport or service) error, not
// with an event store error: the outcome is unknown to the caller.
template <class F>
std::string unknown_outcome(F&& f) {
    try {
        f();
    } catch (const es_error& e) {
        FAIL("an event store error, not an unknown outcome: " << e.what());
    } catch (const ddb::error& e) {
        return e.code().category().name();
    }
    FAIL("no error");
    return {};
}

} // namespace

#define BOTH_SERVERS moto_backend, dynalite_backend

TEMPLATE_TEST_CASE("append retry: a lost answer, retried with the same ids, is stored once",
                   "[es][retry]", BOTH_SERVERS) {
    proxied<TestType> p;
    std::vector<new_event> one{p.note_event("only once", true)};
    p.lose_next_answer();
    unknown_outcome([&] { p.append("book", expected_version::no_stream(), one); });
    CHECK(p.proxy.faults_injected() == 2);
    // The server stored it; the caller could not know. The retry says so.
    auto stored = p.append("book", expected_version::no_stream(), one);
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].id == *one[0].id);
    CHECK(p.all("book") == stored); // as stored, created_at included
    // A retry with other content is refused, and nothing changes.
    auto changed = one;
    changed[0].properties = {{"text", "something else"}};
    try {
        p.append("book", expected_version::no_stream(), changed);
        FAIL("accepted");
    } catch (const es_error& e) {
        CHECK(e.kind() == es_errc::duplicate_id);
    }
    CHECK(p.all("book") == stored);
}

TEMPLATE_TEST_CASE("append retry: throttling after the client's retries, retried, is stored once",
                   "[es][retry]", BOTH_SERVERS) {
    proxied<TestType> p;
    std::vector<new_event> one{p.note_event("throttled", true)};
    p.proxy.push(ddb::test::fault::throttle());
    // The caller sees the throttling error (the client's retries are off).
    CHECK_THROWS_AS(p.append("book", expected_version::no_stream(), one), ddb::throttling_error);
    CHECK(p.all("book").empty()); // here the server never saw it
    auto stored = p.append("book", expected_version::no_stream(), one);
    REQUIRE(stored.size() == 1);
    CHECK(p.append("book", expected_version::no_stream(), one) == stored);
    CHECK(p.all("book") == stored);
}

TEMPLATE_TEST_CASE("append retry: a lost answer of an event without an aggregate", "[es][retry]",
                   BOTH_SERVERS) {
    proxied<TestType> p;
    auto e = p.note_event("lonely", true);
    p.lose_next_answer();
    unknown_outcome([&] {
        p.run([&]() -> awaitable<stored_event> { co_return co_await p.events->persist(e); });
    });
    auto stored =
        p.run([&]() -> awaitable<stored_event> { co_return co_await p.events->persist(e); });
    CHECK(stored.id == *e.id);
    auto found =
        p.run([&]() -> awaitable<stored_event> { co_return co_await p.events->find(stored.id); });
    CHECK(found == stored);
}

TEMPLATE_TEST_CASE("append retry: persist (any version) with an id after a lost answer",
                   "[es][retry]", BOTH_SERVERS) {
    proxied<TestType> p;
    auto e = p.note_event("persisted", true);
    std::optional<std::string> uuid = "book";
    // The version query passes, the write's answer is lost.
    p.proxy.push({ddb::test::fault::forward});
    p.lose_next_answer();
    unknown_outcome([&] {
        p.run([&]() -> awaitable<stored_event> { co_return co_await p.events->persist(e, uuid); });
    });
    auto stored =
        p.run([&]() -> awaitable<stored_event> { co_return co_await p.events->persist(e, uuid); });
    CHECK(stored.aggregate_version == 1);
    CHECK(p.all("book") == std::vector<stored_event>{stored});
}

TEMPLATE_TEST_CASE("append retry: several events at an exact version (a transaction)",
                   "[es][retry]", moto_backend) {
    proxied<TestType> p;
    auto first = p.append("book", expected_version::no_stream(), {p.note_event("1")});
    std::vector<new_event> three{p.note_event("2", true), p.note_event("3", true),
                                 p.note_event("4", true)};
    p.lose_next_answer();
    unknown_outcome([&] { p.append("book", expected_version::exact(1), three); });
    // Another writer appends after the lost write, before the retry.
    p.append("book", expected_version::exact(4), {p.note_event("5")});
    auto stored = p.append("book", expected_version::exact(1), three);
    REQUIRE(stored.size() == 3);
    auto all = p.all("book");
    REQUIRE(all.size() == 5);
    CHECK(std::vector<stored_event>(all.begin() + 1, all.begin() + 4) == stored);
}

TEMPLATE_TEST_CASE("append retry: an aggregate's persist() after a lost answer", "[es][retry]",
                   BOTH_SERVERS) {
    proxied<TestType> p;
    repositories repos(*p.events, p.registry);
    auto book = notebook::create(repos, "book");
    book.note("first");
    // dynalite: one event at version 0 (no transactions); moto: three.
    if constexpr (!std::is_same_v<TestType, dynalite_backend>) {
        book.note("second");
        book.note("third");
    }
    const auto count = book.recorded_events().size();
    p.lose_next_answer();
    unknown_outcome([&] {
        p.run([&]() -> awaitable<std::vector<stored_event>> { co_return co_await book.persist(); });
    });
    CHECK(book.recorded_events().size() == count); // kept for the retry
    auto stored =
        p.run([&]() -> awaitable<std::vector<stored_event>> { co_return co_await book.persist(); });
    REQUIRE(stored.size() == count);
    CHECK(book.recorded_events().empty());
    CHECK(book.persisted_version() == static_cast<std::int64_t>(count));
    CHECK(p.all("book") == stored);
    auto loaded =
        p.run([&]() -> awaitable<notebook> { co_return co_await notebook::load(repos, "book"); });
    CHECK(loaded.notes == static_cast<int>(count));
    CHECK(loaded.version() == static_cast<std::int64_t>(count));
}

TEMPLATE_TEST_CASE("append retry: events recorded between the attempts follow the stored ones",
                   "[es][retry]", moto_backend) {
    proxied<TestType> p;
    repositories repos(*p.events, p.registry);
    auto book = notebook::create(repos, "book");
    book.note("first");
    book.note("second");
    p.lose_next_answer();
    unknown_outcome([&] {
        p.run([&]() -> awaitable<std::vector<stored_event>> { co_return co_await book.persist(); });
    });
    book.note("third");
    auto stored =
        p.run([&]() -> awaitable<std::vector<stored_event>> { co_return co_await book.persist(); });
    REQUIRE(stored.size() == 3);
    CHECK(stored[2].aggregate_version == 3);
    CHECK(p.all("book") == stored);
    CHECK(book.persisted_version() == 3);
}
