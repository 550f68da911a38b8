// create_tables on moto and dynalite: idempotent (a second run finds the
// three tables and changes nothing), completes a half-made setup, refuses a table
// of another schema with a typed error naming each difference, accepts a
// different billing mode, recreates with force, converges when two run at
// once, and handles TTL idempotently (moto: dynalite has no UpdateTimeToLive).
#include "tables_fixture.hpp"

#include <boost/asio/co_spawn.hpp>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;

namespace {

#define BACKENDS moto_backend, dynalite_backend

template <class B>
void put_event_item(tables_fixture<B>& f, const std::string& pk) {
    put_item_request put;
    put.table_name = f.cfg.events_table;
    put.item = {{"pk", attribute_value(pk)}, {"v", attribute_value(number(0))}};
    f.run([&]() -> awaitable<void> { co_await f.direct.put_item(put); });
}

template <class B>
bool has_event_item(tables_fixture<B>& f, const std::string& pk) {
    get_item_request get;
    get.table_name = f.cfg.events_table;
    get.key = {{"pk", attribute_value(pk)}, {"v", attribute_value(number(0))}};
    get.consistent_read = true;
    auto r =
        f.run([&]() -> awaitable<get_item_response> { co_return co_await f.direct.get_item(get); });
    return r.item.has_value();
}

// The message of the es_error create_tables throws (it must throw one).
template <class B>
std::string mismatch_of(tables_fixture<B>& f) {
    try {
        f.create();
    } catch (const es_error& e) {
        CHECK(e.kind() == es_errc::table_schema_mismatch);
        CHECK(e.code() == es_errc::table_schema_mismatch);
        return e.what();
    }
    FAIL("create_tables accepted a table of another schema");
    return {};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEMPLATE_TEST_CASE("tables: a second create_tables finds the three tables and changes nothing",
                   "[es]", BACKENDS) {
    tables_fixture<TestType> f;
    f.create();
    const auto& ev = f.cfg.events_table;
    const auto& sn = f.cfg.snapshots_table;
    const auto& cp = f.cfg.checkpoints_table;
    CHECK(f.lines == std::vector<std::string>{"creating " + ev, "creating " + sn, "creating " + cp,
                                              ev + " is active", sn + " is active",
                                              cp + " is active"});
    CHECK(f.calls_of("CreateTable") == 3);
    f.check_ready();
    auto before = f.describe(ev);
    REQUIRE(before);
    put_event_item(f, "kept");

    f.create();
    CHECK(f.lines == std::vector<std::string>{
                         "found " + ev + " (schema matches)", "found " + sn + " (schema matches)",
                         "found " + cp + " (schema matches)", ev + " is active", sn + " is active",
                         cp + " is active"});
    CHECK(f.calls_of("CreateTable") == 0);
    CHECK(f.calls_of("DeleteTable") == 0);
    auto after = f.describe(ev);
    REQUIRE(after);
    CHECK(after->creation_date_time == before->creation_date_time);
    CHECK(has_event_item(f, "kept"));
}

TEMPLATE_TEST_CASE("tables: with the events table there and the snapshots and checkpoints "
                   "tables missing, create_tables creates the missing ones",
                   "[es]", BACKENDS) {
    tables_fixture<TestType> f;
    f.create_by_hand(events_table_spec(f.cfg));
    put_event_item(f, "kept");
    REQUIRE_FALSE(f.describe(f.cfg.snapshots_table));

    f.create();
    const auto& ev = f.cfg.events_table;
    const auto& sn = f.cfg.snapshots_table;
    const auto& cp = f.cfg.checkpoints_table;
    CHECK(f.lines == std::vector<std::string>{"found " + ev + " (schema matches)", "creating " + sn,
                                              "creating " + cp, ev + " is active",
                                              sn + " is active", cp + " is active"});
    CHECK(f.calls_of("CreateTable") == 2);
    f.check_ready();
    CHECK(has_event_item(f, "kept"));
}

TEMPLATE_TEST_CASE("tables: a table of another key schema is table_schema_mismatch naming "
                   "each difference, and nothing is created",
                   "[es]", BACKENDS) {
    tables_fixture<TestType> f;
    create_table_request other;
    other.table_name = f.cfg.events_table;
    other.attribute_definitions = {{"id", scalar_attribute_type::s}};
    other.key_schema = {{"id", key_type::hash}};
    other.billing_mode = billing_mode::pay_per_request;
    f.create_by_hand(other);

    auto message = mismatch_of(f);
    INFO(message);
    CHECK(contains(message, "events table " + f.cfg.events_table +
                                ": key schema differs: expected pk HASH, v RANGE; found id HASH"));
    CHECK(contains(message, "global index global missing: expected g HASH, id RANGE, "
                            "projection ALL"));
    CHECK_FALSE(contains(message, f.cfg.snapshots_table)); // that one is missing, not different
    CHECK(f.calls_of("CreateTable") == 0);
    CHECK_FALSE(f.describe(f.cfg.snapshots_table));
    // Left as it was.
    auto t = f.describe(f.cfg.events_table);
    REQUIRE(t);
    REQUIRE(t->key_schema.size() == 1);
    CHECK(t->key_schema[0].attribute_name == "id");
}

TEMPLATE_TEST_CASE("tables: key attribute types and the global index's keys and projection "
                   "are compared",
                   "[es]", BACKENDS) {
    tables_fixture<TestType> f;
    // Events: v is a string, the index projects keys only.
    auto events = events_table_spec(f.cfg);
    for (auto& d : events.attribute_definitions)
        if (d.attribute_name == "v")
            d.attribute_type = scalar_attribute_type::s;
    events.global_secondary_indexes[0].projection.projection_type = projection_type::keys_only;
    f.create_by_hand(events);
    // Snapshots: the same key names, swapped roles.
    auto snapshots = snapshots_table_spec(f.cfg);
    snapshots.key_schema = {{"sk", key_type::hash}, {"pk", key_type::range}};
    f.create_by_hand(snapshots);

    auto message = mismatch_of(f);
    INFO(message);
    CHECK(contains(message, "events table " + f.cfg.events_table +
                                ": key attribute v differs: expected type N; found S. "
                                "global index global projection differs: expected ALL; "
                                "found KEYS_ONLY"));
    CHECK(contains(message, "snapshots table " + f.cfg.snapshots_table +
                                ": key schema differs: expected pk HASH, sk RANGE; found sk "
                                "HASH, pk RANGE"));
    CHECK(f.lines.empty());

    // An index on other keys.
    tables_fixture<TestType> g;
    auto keyed = events_table_spec(g.cfg);
    keyed.global_secondary_indexes[0].key_schema = {{"id", key_type::hash}, {"g", key_type::range}};
    g.create_by_hand(keyed);
    auto other = mismatch_of(g);
    INFO(other);
    CHECK(contains(other, "events table " + g.cfg.events_table +
                              ": global index global key schema differs: expected g HASH, "
                              "id RANGE; found id HASH, g RANGE"));
}

TEMPLATE_TEST_CASE("tables: another billing mode is reported and accepted", "[es]", BACKENDS) {
    tables_fixture<TestType> f;
    store_config provisioned = f.cfg;
    provisioned.billing = billing_mode::provisioned;
    provisioned.throughput = provisioned_throughput{5, 5};
    f.create_by_hand(events_table_spec(provisioned));

    f.create(); // the configuration says on-demand (the default)
    CHECK(f.said("found " + f.cfg.events_table +
                 " (schema matches; billing mode PROVISIONED, not PAY_PER_REQUEST as "
                 "configured: left as it is)"));
    CHECK(f.said("creating " + f.cfg.snapshots_table));
    f.check_ready();
}

TEMPLATE_TEST_CASE("tables: a global index the store does not use is reported and accepted, a "
                   "local index is table_schema_mismatch",
                   "[es]", BACKENDS) {
    tables_fixture<TestType> f;
    auto events = events_table_spec(f.cfg);
    events.attribute_definitions.push_back({"cls", scalar_attribute_type::s});
    global_secondary_index by_class;
    by_class.index_name = "by_class";
    by_class.key_schema = {{"cls", key_type::hash}};
    by_class.projection.projection_type = projection_type::keys_only;
    events.global_secondary_indexes.push_back(by_class);
    f.create_by_hand(events);
    f.create();
    CHECK(f.said("found " + f.cfg.events_table +
                 " (schema matches; global index by_class is not the store's: left as it is)"));
    f.check_ready();

    tables_fixture<TestType> g;
    auto snapshots = snapshots_table_spec(g.cfg);
    snapshots.attribute_definitions.push_back({"at", scalar_attribute_type::n});
    local_secondary_index by_time;
    by_time.index_name = "by_time";
    by_time.key_schema = {{"pk", key_type::hash}, {"at", key_type::range}};
    by_time.projection.projection_type = projection_type::all;
    snapshots.local_secondary_indexes.push_back(by_time);
    g.create_by_hand(snapshots);
    auto message = mismatch_of(g);
    INFO(message);
    CHECK(contains(message, "snapshots table " + g.cfg.snapshots_table +
                                ": has local index by_time, which the store does not want (it "
                                "caps each partition at 10 GB)"));
    CHECK_FALSE(g.describe(g.cfg.events_table)); // nothing created
}

TEST_CASE("tables: one name for two tables is invalid_argument, before any request", "[es]") {
    tables_fixture<moto_backend> f;
    const store_config distinct = f.cfg;
    f.cfg.snapshots_table = f.cfg.events_table;
    try {
        f.create();
        FAIL("no error");
    } catch (const es_error& e) {
        CHECK(e.kind() == es_errc::invalid_argument);
        CHECK(std::string(e.what()) ==
              "the events and snapshots tables have the same name: " + f.cfg.events_table);
    }
    CHECK(f.calls.empty());
    for (const auto* other : {"events", "snapshots"}) {
        f.cfg = distinct;
        f.cfg.checkpoints_table =
            std::string(other) == "events" ? f.cfg.events_table : f.cfg.snapshots_table;
        try {
            f.create();
            FAIL("no error");
        } catch (const es_error& e) {
            CHECK(e.kind() == es_errc::invalid_argument);
            CHECK(std::string(e.what()) ==
                  "the checkpoints and " + std::string(other) +
                      " tables have the same name: " + f.cfg.checkpoints_table);
        }
        CHECK(f.calls.empty());
    }
}

TEMPLATE_TEST_CASE("tables: force deletes the tables and creates them again, also over a "
                   "table of another schema",
                   "[es]", BACKENDS) {
    tables_fixture<TestType> f;
    f.create();
    put_event_item(f, "gone");
    f.create(true);
    const auto& ev = f.cfg.events_table;
    const auto& sn = f.cfg.snapshots_table;
    const auto& cp = f.cfg.checkpoints_table;
    CHECK(f.lines == std::vector<std::string>{"deleting " + ev, "deleting " + sn, "deleting " + cp,
                                              "creating " + ev, "creating " + sn, "creating " + cp,
                                              ev + " is active", sn + " is active",
                                              cp + " is active"});
    f.check_ready();
    CHECK_FALSE(has_event_item(f, "gone"));

    // A snapshots table of another schema: refused without force, replaced with it.
    f.run([&]() -> awaitable<void> { co_await f.direct.delete_table(sn); });
    f.run([&]() -> awaitable<void> {
        co_await wait_until_table_gone(f.direct, sn, std::chrono::seconds(30),
                                       std::chrono::milliseconds(20));
    });
    create_table_request other;
    other.table_name = sn;
    other.attribute_definitions = {{"pk", scalar_attribute_type::n}};
    other.key_schema = {{"pk", key_type::hash}};
    other.billing_mode = billing_mode::pay_per_request;
    f.create_by_hand(other);
    auto message = mismatch_of(f);
    CHECK(contains(message, "snapshots table " + sn +
                                ": key schema differs: expected pk HASH, sk "
                                "RANGE; found pk HASH. key attribute pk differs: expected type S; "
                                "found N"));
    f.create(true);
    f.check_ready();
}

TEMPLATE_TEST_CASE("tables: two create_tables at once both succeed with the same tables", "[es]",
                   BACKENDS) {
    tables_fixture<TestType> f;
    client second(f.ioc.get_executor(),
                  ddb::test::config_for(ddb::test::local_server::endpoint(TestType::name)));
    std::vector<std::string> lines[2];
    std::exception_ptr errors[2];
    int done = 0;
    for (int i = 0; i < 2; ++i) {
        client& c = i == 0 ? f.direct : second;
        std::function<void(std::string_view)> progress = [&lines, i](std::string_view line) {
            lines[i].emplace_back(line);
        };
        auto finish = [&errors, &done, i](std::exception_ptr e) {
            errors[i] = e;
            ++done;
        };
        asio::co_spawn(f.ioc, create_tables(c, f.cfg, false, progress), finish);
    }
    f.ioc.restart();
    while (done < 2 && f.ioc.run_one() > 0) {
    }
    REQUIRE(done == 2);
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
    f.check_ready();
    // Each table was created by one of them; the other met it, either when
    // looking (found) or when creating it too (ResourceInUse).
    for (const auto& table : {f.cfg.events_table, f.cfg.snapshots_table, f.cfg.checkpoints_table}) {
        int created = 0, met = 0;
        for (const auto& l : lines) {
            bool creating = std::count(l.begin(), l.end(), "creating " + table) > 0;
            bool in_use =
                std::count(l.begin(), l.end(),
                           "found " + table + " after ResourceInUse (schema matches)") > 0;
            bool found = std::count(l.begin(), l.end(), "found " + table + " (schema matches)") > 0;
            created += creating && !in_use;
            met += in_use || found;
            CHECK(std::count(l.begin(), l.end(), table + " is active") == 1);
        }
        CHECK(created == 1);
        CHECK(met == 1);
    }
}

TEST_CASE("tables: TTL is enabled once, found enabled the next time, and a TTL on another "
          "attribute is table_schema_mismatch - moto_backend",
          "[es]") {
    tables_fixture<moto_backend> f;
    f.cfg.ttl = true;
    const std::string where = f.cfg.events_table + ".expires_at";
    f.create();
    CHECK(f.said("enabling TTL on " + where));
    CHECK(f.said("TTL enabled on " + where));
    f.create();
    CHECK(f.said("TTL already enabled on " + where));
    CHECK(f.calls_of("UpdateTimeToLive") == 0);
    auto ttl = f.run([&]() -> awaitable<describe_time_to_live_response> {
        co_return co_await f.direct.describe_time_to_live(f.cfg.events_table);
    });
    REQUIRE(ttl.time_to_live_description);
    CHECK(ttl.time_to_live_description->attribute_name == "expires_at");

    store_config other = f.cfg;
    other.ttl_attribute = "gone_at";
    try {
        f.create(false, other);
        FAIL("no error");
    } catch (const es_error& e) {
        CHECK(e.kind() == es_errc::table_schema_mismatch);
        CHECK(std::string(e.what()).find("events table " + f.cfg.events_table +
                                         ": TTL is enabled on attribute expires_at, not on "
                                         "gone_at as configured (a table has one TTL "
                                         "attribute: set store_config::ttl_attribute to "
                                         "expires_at, or disable TTL on the table first)") !=
              std::string::npos);
    }
    CHECK(f.calls_of("UpdateTimeToLive") == 0);
}
