// The checkpoint store on moto and dynalite, with fresh tables per test:
// leases (acquire, expiry and takeover with the next fence, renew, release),
// at-least-once commits fenced by owner and fence, parked events,
// heartbeats, the tool's views, and bad input. The exactly-once commit
// needs TransactWriteItems, which dynalite lacks: its tests run on moto only
// (also through the fault proxy, with the commit's answer lost).
#include "backend.hpp"

#include "../support/fault_proxy.hpp"

#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/error.hpp>

#include "es/detail/checkpoint_item.hpp"

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

// A fresh store (its three tables), its checkpoint store, and a read-model
// table (pk, sk) for exactly-once commits.
template <class B>
struct fixture : store<B> {
    checkpoint_store cps;
    std::string model = ddb::test::unique_table("read-model");

    fixture()
        : store<B>()
        , cps(*this->c, this->cfg) {
        store_config m = this->cfg;
        m.snapshots_table = model;
        auto spec = snapshots_table_spec(m);
        this->run([&]() -> awaitable<void> {
            co_await this->c->create_table(spec);
            co_await wait_until_table_active(*this->c, model, std::chrono::seconds(30),
                                             milliseconds(20));
        });
    }
    ~fixture() {
        try {
            this->run([&]() -> awaitable<void> {
                co_await this->c->delete_table(model);
                co_await wait_until_table_gone(*this->c, model);
            });
        } catch (...) {
        }
    }

    std::optional<lease> acquire(const std::string& owner, milliseconds d, int partition = 0,
                                 const std::string& projection = "balances") {
        return this->run([&]() -> awaitable<std::optional<lease>> {
            co_return co_await cps.acquire(projection, partition, owner, d);
        });
    }
    bool renew(lease& l, milliseconds d) {
        return this->run([&]() -> awaitable<bool> { co_return co_await cps.renew(l, d); });
    }
    void commit(lease& l, subscription_position next) {
        this->run([&]() -> awaitable<void> { co_await cps.commit(l, next); });
    }
    void commit(lease& l, subscription_position next, std::vector<transact_write_item> writes) {
        this->run([&]() -> awaitable<void> { co_await cps.commit(l, next, writes); });
    }
    std::vector<lease> leases(const std::string& projection = "balances") {
        return this->run(
            [&]() -> awaitable<std::vector<lease>> { co_return co_await cps.leases(projection); });
    }
    std::vector<parked_event> parked(const std::string& projection = "balances") {
        return this->run([&]() -> awaitable<std::vector<parked_event>> {
            std::vector<parked_event> out;
            auto gen = cps.parked(projection);
            while (auto p = co_await gen.next())
                out.push_back(std::move(*p));
            co_return out;
        });
    }

    // The read model's counter (0 when absent) and the number of its rows.
    std::int64_t counter() {
        get_item_request get{
            .table_name = model,
            .key = {{"pk", attribute_value("counter")}, {"sk", attribute_value("total")}},
            .consistent_read = true};
        auto r = this->run(
            [&]() -> awaitable<get_item_response> { co_return co_await this->c->get_item(get); });
        if (!r.item || !r.item->count("n"))
            return 0;
        return r.item->at("n").as_n().template as<std::int64_t>();
    }
    std::size_t rows() {
        scan_request s{.table_name = model, .consistent_read = true};
        auto r =
            this->run([&]() -> awaitable<scan_response> { co_return co_await this->c->scan(s); });
        return r.items.size();
    }

    // The writes a handler returns for event `key`: add 1 to the counter,
    // put a row for the event.
    std::vector<transact_write_item> handler_writes(const std::string& key) {
        transact_write_item add;
        add.update = transact_update{
            .table_name = model,
            .key = {{"pk", attribute_value("counter")}, {"sk", attribute_value("total")}},
            .update_expression = "ADD #n :one",
            .expression_attribute_names = {{"#n", "n"}},
            .expression_attribute_values = {{":one", number(1)}}};
        transact_write_item row;
        row.put =
            transact_put{.table_name = model,
                         .item = {{"pk", attribute_value("row")}, {"sk", attribute_value(key)}}};
        return {add, row};
    }
};

subscription_position at(std::int64_t id, std::vector<std::string> keys) {
    return subscription_position{id, std::move(keys)};
}

// The es_errc of what `f` throws (it must throw an es_error).
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

stored_event event(std::int64_t id, std::optional<std::string> uuid, std::int64_t version) {
    stored_event e;
    e.id = id;
    e.aggregate_uuid = std::move(uuid);
    e.aggregate_version = version;
    e.event_class = "account.opened";
    return e;
}

} // namespace

TEMPLATE_TEST_CASE("checkpoints: acquire takes a free partition with fence 1, and its owner "
                   "acquires it again with the same fence",
                   "[es][checkpoints]", BACKENDS) {
    fixture<TestType> f;
    const auto before = system_clock::now();
    auto a = f.acquire("worker-a", milliseconds(30'000), 3);
    REQUIRE(a);
    CHECK(a->projection == "balances");
    CHECK(a->partition == 3);
    CHECK(a->owner == "worker-a");
    CHECK(a->fence == 1);
    CHECK(a->position == subscription_position{});
    CHECK_FALSE(a->committed_at);
    CHECK(a->until >= before + milliseconds(29'000));
    CHECK(a->until <= system_clock::now() + milliseconds(30'001));

    auto again = f.acquire("worker-a", milliseconds(60'000), 3);
    REQUIRE(again);
    CHECK(again->fence == 1);
    CHECK(again->until > a->until);
    CHECK_FALSE(f.acquire("worker-b", milliseconds(30'000), 3));

    // Another partition and another projection are separate leases.
    auto other = f.acquire("worker-b", milliseconds(30'000), 4);
    REQUIRE(other);
    CHECK(other->fence == 1);
    REQUIRE(f.acquire("worker-b", milliseconds(30'000), 3, "audit"));
    auto all = f.leases();
    REQUIRE(all.size() == 2);
    CHECK(all[0] == *again);
    CHECK(all[1] == *other);
    auto names = f.run(
        [&]() -> awaitable<std::vector<std::string>> { co_return co_await f.cps.projections(); });
    CHECK(names == std::vector<std::string>{"audit", "balances"});
}

TEMPLATE_TEST_CASE("checkpoints: a second owner takes the partition only after the lease "
                   "expired, with fence + 1, and the first owner's renew and commit then fail",
                   "[es][checkpoints]", BACKENDS) {
    fixture<TestType> f;
    auto a = f.acquire("worker-a", milliseconds(300));
    REQUIRE(a);
    f.commit(*a, at(100, {"u#1"}));
    CHECK_FALSE(f.acquire("worker-b", milliseconds(300)));
    CHECK(f.renew(*a, milliseconds(300))); // still a's
    CHECK_FALSE(f.acquire("worker-b", milliseconds(300)));

    std::this_thread::sleep_for(milliseconds(400));
    auto b = f.acquire("worker-b", milliseconds(30'000));
    REQUIRE(b);
    CHECK(b->fence == a->fence + 1);
    CHECK(b->owner == "worker-b");
    CHECK(b->position == at(100, {"u#1"})); // resumes where a committed

    const lease stale = *a;
    CHECK_FALSE(f.renew(*a, milliseconds(300)));
    CHECK(*a == stale); // unchanged
    CHECK(error_of([&] { f.commit(*a, at(200, {"u#2"})); }) == es_errc::lease_lost);
    CHECK(a->position == at(100, {"u#1"}));
    // a's release leaves b's lease alone.
    f.run([&]() -> awaitable<void> { co_await f.cps.release(*a); });
    CHECK_FALSE(f.acquire("worker-a", milliseconds(300)));

    f.commit(*b, at(300, {"v#1", "w#1"}));
    auto all = f.leases();
    REQUIRE(all.size() == 1);
    CHECK(all[0].owner == "worker-b");
    CHECK(all[0].fence == b->fence);
    CHECK(all[0].position == at(300, {"v#1", "w#1"}));
    REQUIRE(all[0].committed_at);
    CHECK(*all[0].committed_at <= system_clock::now());
    CHECK(*all[0].committed_at >= system_clock::now() - std::chrono::seconds(30));
}

TEMPLATE_TEST_CASE("checkpoints: release frees the partition at once, keeping the checkpoint, and "
                   "the next owner gets the next fence",
                   "[es][checkpoints]", BACKENDS) {
    fixture<TestType> f;
    auto a = f.acquire("worker-a", milliseconds(60'000));
    REQUIRE(a);
    f.commit(*a, at(42, {"x#1"}));
    CHECK(a->position == at(42, {"x#1"}));
    REQUIRE(a->committed_at);
    f.run([&]() -> awaitable<void> { co_await f.cps.release(*a); });
    auto free = f.leases();
    REQUIRE(free.size() == 1);
    CHECK(free[0].owner.empty());
    CHECK(free[0].position == at(42, {"x#1"}));

    auto b = f.acquire("worker-b", milliseconds(60'000));
    REQUIRE(b);
    CHECK(b->fence == 2);
    CHECK(b->position == at(42, {"x#1"}));
    CHECK_FALSE(f.renew(*a, milliseconds(300)));
    // Releasing again (a lost lease) is a no-op.
    f.run([&]() -> awaitable<void> { co_await f.cps.release(*a); });
    CHECK(f.leases()[0].owner == "worker-b");
}

TEMPLATE_TEST_CASE("checkpoints: at-least-once commits move the checkpoint forward only",
                   "[es][checkpoints]", BACKENDS) {
    fixture<TestType> f;
    auto a = f.acquire("worker-a", milliseconds(60'000));
    REQUIRE(a);
    f.commit(*a, at(10, {"a#1"}));
    f.commit(*a, at(10, {"a#1", "b#1"})); // more events at the same id
    f.commit(*a, at(11, {"a#2"}));
    CHECK(f.leases()[0].position == at(11, {"a#2"}));
    CHECK(error_of([&] { f.commit(*a, at(9, {})); }) == es_errc::invalid_argument);
    CHECK(f.leases()[0].position == at(11, {"a#2"}));
}

TEMPLATE_TEST_CASE("checkpoints: park, list, park again, unpark", "[es][checkpoints]", BACKENDS) {
    fixture<TestType> f;
    CHECK(f.parked().empty());
    const auto before = system_clock::now() - milliseconds(1);
    auto second = event(2000, "acct-1", 7);
    auto first = event(1000, std::nullopt, 0);
    first.event_class = "system.tick";
    const std::string long_uuid(1000, 'u'); // its key is too long for a sort key
    auto third = event(3000, long_uuid, 1);
    f.run([&]() -> awaitable<void> {
        co_await f.cps.park("balances", second, "boom", 3);
        co_await f.cps.park("balances", first, "bad tick: " + std::string(20'000, 'e'), 1);
        co_await f.cps.park("balances", third, "long", 2);
        co_await f.cps.park("audit", second, "other projection", 1);
    });
    auto list = f.parked();
    REQUIRE(list.size() == 3);
    CHECK(list[0].id == 1000);
    CHECK(list[0].key == "$e#1000#0");
    CHECK(list[0].event_class == "system.tick");
    CHECK(list[0].error.size() == 16 * 1024); // cut
    CHECK(list[0].error.rfind("bad tick: eee", 0) == 0);
    CHECK(list[0].attempts == 1);
    CHECK(list[0].parked_at >= before);
    CHECK(list[1] ==
          parked_event{"acct-1#7", 2000, "account.opened", "boom", 3, list[1].parked_at});
    CHECK(list[2].key == long_uuid + "#1");
    CHECK(f.parked("audit").size() == 1);

    // Parked again: replaced.
    f.run([&]() -> awaitable<void> { co_await f.cps.park("balances", second, "boom again", 5); });
    list = f.parked();
    REQUIRE(list.size() == 3);
    CHECK(list[1].error == "boom again");
    CHECK(list[1].attempts == 5);

    auto unpark = [&](std::int64_t id, const std::string& key) {
        return f.run(
            [&]() -> awaitable<bool> { co_return co_await f.cps.unpark("balances", id, key); });
    };
    CHECK(unpark(2000, "acct-1#7"));
    CHECK_FALSE(unpark(2000, "acct-1#7"));
    CHECK(unpark(3000, long_uuid + "#1"));
    list = f.parked();
    REQUIRE(list.size() == 1);
    CHECK(list[0].id == 1000);
    CHECK(f.parked("audit").size() == 1);
}

TEMPLATE_TEST_CASE("checkpoints: heartbeats list the live workers until they expire or leave",
                   "[es][checkpoints]", BACKENDS) {
    fixture<TestType> f;
    auto live = [&] {
        return f.run([&]() -> awaitable<std::vector<std::string>> {
            co_return co_await f.cps.live_workers("balances");
        });
    };
    f.run([&]() -> awaitable<void> {
        co_await f.cps.heartbeat("balances", "worker-b", milliseconds(60'000));
        co_await f.cps.heartbeat("balances", "worker-a", milliseconds(300));
        co_await f.cps.heartbeat("balances", "worker-c", milliseconds(60'000));
        co_await f.cps.heartbeat("audit", "worker-d", milliseconds(60'000));
    });
    CHECK(live() == std::vector<std::string>{"worker-a", "worker-b", "worker-c"});
    std::this_thread::sleep_for(milliseconds(400));
    f.run([&]() -> awaitable<void> { co_await f.cps.leave("balances", "worker-c"); });
    CHECK(live() == std::vector<std::string>{"worker-b"});
    // Heartbeats are not leases.
    CHECK(f.leases().empty());
}

TEMPLATE_TEST_CASE("checkpoints: bad names, partitions and durations are invalid_argument, "
                   "a damaged item is invalid_checkpoint_item",
                   "[es][checkpoints]", BACKENDS) {
    fixture<TestType> f;
    auto acquire_error = [&](std::string projection, int partition, std::string owner,
                             milliseconds d) {
        return error_of([&] {
            f.run([&]() -> awaitable<void> {
                co_await f.cps.acquire(projection, partition, owner, d);
            });
        });
    };
    CHECK(acquire_error("", 0, "w", milliseconds(1)) == es_errc::invalid_argument);
    CHECK(acquire_error(std::string(256, 'p'), 0, "w", milliseconds(1)) ==
          es_errc::invalid_argument);
    CHECK(acquire_error("p\n", 0, "w", milliseconds(1)) == es_errc::invalid_argument);
    CHECK(acquire_error("p", -1, "w", milliseconds(1)) == es_errc::invalid_argument);
    CHECK(acquire_error("p", 100'000, "w", milliseconds(1)) == es_errc::invalid_argument);
    CHECK(acquire_error("p", 0, "", milliseconds(1)) == es_errc::invalid_argument);
    CHECK(acquire_error("p", 0, "w", milliseconds(0)) == es_errc::invalid_argument);
    lease nobody;
    nobody.projection = "p";
    CHECK(error_of([&] { f.commit(nobody, at(1, {})); }) == es_errc::invalid_argument);
    CHECK(error_of([&] {
              f.run([&]() -> awaitable<void> {
                  co_await f.cps.park("p", event(0, std::nullopt, 0), "e", 1);
              });
          }) == es_errc::invalid_argument);
    CHECK(f.leases("p").empty()); // nothing was written

    // A partition item whose fence is a string.
    put_item_request put{.table_name = f.cfg.checkpoints_table,
                         .item = {{"pk", attribute_value("p")},
                                  {"sk", attribute_value("p#00000")},
                                  {"owner", attribute_value("w")},
                                  {"fence", attribute_value("one")}}};
    f.run([&]() -> awaitable<void> { co_await f.c->put_item(put); });
    try {
        f.leases("p");
        FAIL("no error");
    } catch (const es_error& e) {
        CHECK(e.kind() == es_errc::invalid_checkpoint_item);
        CHECK(std::string(e.what()) == "checkpoints table " + f.cfg.checkpoints_table +
                                           ", item pk p, sk p#00000: fence is S, not N");
    }
}

TEST_CASE("checkpoints: the item keys and the commit token", "[es][checkpoints]") {
    CHECK(es::detail::lease_sort_key(7) == "p#00007");
    CHECK(es::detail::parked_sort_key(12, "a#3") == "x#00000000000000000012#a#3");
    const auto hashed = es::detail::parked_sort_key(12, std::string(1100, 'k'));
    CHECK(hashed.size() == 23 + 1 + 64);
    CHECK(hashed.rfind("x#00000000000000000012#h", 0) == 0);

    lease l{"balances", 3, "worker-a", 2, {}, at(10, {"a#1"}), {}};
    const auto token = es::detail::commit_token(l, at(11, {"b#1"}));
    CHECK(token.size() == 36);
    CHECK(token == es::detail::commit_token(l, at(11, {"b#1"})));
    CHECK(token != es::detail::commit_token(l, at(11, {"b#2"})));
    CHECK(token != es::detail::commit_token(l, at(11, {"b#1", "c#1"})));
    lease other = l;
    other.fence = 3;
    CHECK(token != es::detail::commit_token(other, at(11, {"b#1"})));
    other = l;
    other.position = at(10, {"a#1", "a#2"});
    CHECK(token != es::detail::commit_token(other, at(11, {"b#1"})));
}

// ---------------------------------------------------------------------------
// Exactly-once commits: moto only (dynalite has no TransactWriteItems).

TEST_CASE("checkpoints: an exactly-once commit applies the writes and the checkpoint "
          "together, and sent again it succeeds without applying them twice - moto_backend",
          "[es][checkpoints]") {
    fixture<moto_backend> f;
    auto a = f.acquire("worker-a", milliseconds(60'000));
    REQUIRE(a);
    const lease before = *a; // the lease as the first attempt saw it
    f.commit(*a, at(10, {"acct#1"}), f.handler_writes("acct#1"));
    CHECK(a->position == at(10, {"acct#1"}));
    REQUIRE(a->committed_at);
    CHECK(f.counter() == 1);
    CHECK(f.rows() == 2);
    CHECK(f.leases()[0].position == at(10, {"acct#1"}));

    // The same commit again (a caller retrying after an unknown outcome):
    // success, nothing applied again.
    lease retry = before;
    f.commit(retry, at(10, {"acct#1"}), f.handler_writes("acct#1"));
    CHECK(retry.position == at(10, {"acct#1"}));
    CHECK(f.counter() == 1);

    // The next events, then an empty batch of writes (checkpoint only).
    f.commit(*a, at(10, {"acct#1", "acct#2"}), f.handler_writes("acct#2"));
    f.commit(*a, at(12, {"acct#3"}), {});
    CHECK(f.counter() == 2);
    CHECK(f.rows() == 3);
    CHECK(f.leases()[0].position == at(12, {"acct#3"}));
}

TEST_CASE("checkpoints: an exactly-once commit from a stale position is checkpoint_moved, "
          "with a lost lease lease_lost, with a failed write condition transaction_canceled, "
          "nothing applied - moto_backend",
          "[es][checkpoints]") {
    fixture<moto_backend> f;
    auto a = f.acquire("worker-a", milliseconds(300));
    REQUIRE(a);
    const lease old = *a;
    f.commit(*a, at(10, {"e#1"}), f.handler_writes("e#1"));
    f.commit(*a, at(11, {"e#2"}), f.handler_writes("e#2"));
    REQUIRE(f.counter() == 2);

    // From the position before the last commit, to another one.
    lease stale = old;
    CHECK(error_of([&] { f.commit(stale, at(11, {"e#9"}), f.handler_writes("e#9")); }) ==
          es_errc::checkpoint_moved);
    CHECK(stale.position == old.position);
    CHECK(f.counter() == 2);

    // A write condition of the caller fails: its error, nothing applied.
    auto writes = f.handler_writes("e#3");
    transact_write_item check;
    check.condition_check =
        condition_check{.table_name = f.model,
                        .key = {{"pk", attribute_value("row")}, {"sk", attribute_value("e#1")}},
                        .condition_expression = "attribute_not_exists(pk)"};
    writes.push_back(check);
    CHECK_THROWS_AS(f.commit(*a, at(12, {"e#3"}), writes), transaction_canceled);
    CHECK(a->position == at(11, {"e#2"}));
    CHECK(f.counter() == 2);

    // Too many writes: refused before sending.
    std::vector<transact_write_item> many;
    for (int i = 0; i < 100; ++i)
        many.push_back(f.handler_writes("m#" + std::to_string(i))[1]);
    CHECK(error_of([&] { f.commit(*a, at(12, {"m#0"}), many); }) == es_errc::invalid_argument);
    // Not moving the position: refused (its resend would apply it again).
    CHECK(error_of([&] { f.commit(*a, a->position, f.handler_writes("e#2")); }) ==
          es_errc::invalid_argument);
    CHECK(f.counter() == 2);

    // Taken over: the old owner's commit is lease_lost.
    std::this_thread::sleep_for(milliseconds(400));
    auto b = f.acquire("worker-b", milliseconds(60'000));
    REQUIRE(b);
    CHECK(b->fence == a->fence + 1);
    CHECK(error_of([&] { f.commit(*a, at(12, {"e#3"}), f.handler_writes("e#3")); }) ==
          es_errc::lease_lost);
    CHECK(f.counter() == 2);
    f.commit(*b, at(12, {"e#3"}), f.handler_writes("e#3"));
    CHECK(f.counter() == 3);
    CHECK(f.leases()[0].position == at(12, {"e#3"}));
}

TEST_CASE("checkpoints: an exactly-once commit whose answer is lost is applied once, by the "
          "client's resend and by the caller's retry - moto_backend",
          "[es][checkpoints]") {
    ddb::test::fault_proxy proxy(ddb::test::local_server::endpoint("moto"));
    asio::io_context ioc;
    auto config = ddb::test::config_for(proxy.endpoint());
    client via(ioc.get_executor(), config);
    config.retry->max_attempts = 1;
    client once(ioc.get_executor(), config);

    fixture<moto_backend> f;
    checkpoint_store resending(via, f.cfg), single(once, f.cfg);
    auto a = f.acquire("worker-a", milliseconds(60'000));
    REQUIRE(a);
    auto run = [&](auto make) { return ddb::test::complete(ioc, make); };

    // The client sends it again by itself (same token).
    proxy.push({ddb::test::fault::close_after_forward});
    auto writes = f.handler_writes("e#1");
    auto next = at(10, {"e#1"});
    run([&]() -> awaitable<void> { co_await resending.commit(*a, next, writes); });
    CHECK(proxy.injected_by_name().at("close_after_forward") == 1);
    CHECK(a->position == at(10, {"e#1"}));
    CHECK(f.counter() == 1);

    // The caller sees the error (no resend), then commits again. (A request
    // first, so that the commit goes on a pooled connection: the transport
    // resends once on a fresh one when a pooled one closes.)
    run([&]() -> awaitable<void> { co_await single.leases("balances"); });
    proxy.push({ddb::test::fault::close_after_forward});
    proxy.push({ddb::test::fault::close_after_forward}); // a pooled connection's resend
    writes = f.handler_writes("e#2");
    next = at(11, {"e#2"});
    CHECK_THROWS_AS(run([&]() -> awaitable<void> { co_await single.commit(*a, next, writes); }),
                    ddb::error);
    CHECK(a->position == at(10, {"e#1"}));
    CHECK(f.counter() == 2); // it was applied
    run([&]() -> awaitable<void> { co_await single.commit(*a, next, writes); });
    CHECK(a->position == at(11, {"e#2"}));
    CHECK(f.counter() == 2);
    CHECK(f.leases()[0].position == at(11, {"e#2"}));
}
