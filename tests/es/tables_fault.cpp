// create_tables through the fault proxy, in front of moto and dynalite: the
// answer to each CreateTable (and to each DeleteTable, and UpdateTimeToLive)
// is dropped after the server acted. The client's retry meets the table it
// created (ResourceInUse); create_tables must accept it and finish with the
// three tables ACTIVE and of the right schema.
#include "tables_fixture.hpp"

#include <map>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;

namespace {

#define BACKENDS moto_backend, dynalite_backend

// Drops the answer of the request that follows each progress line starting
// with `prefix` (create_tables says "creating T" just before CreateTable).
template <class B>
void drop_answer_after(tables_fixture<B>& f, const std::string& prefix) {
    f.on_line = [&f, prefix](const std::string& line) {
        if (line.rfind(prefix, 0) == 0)
            f.proxy->push({ddb::test::fault::close_after_forward});
    };
}

// Each call of `operation` (`count` of them) was sent twice: its first answer
// was dropped, the request was sent again (a new attempt, or the transport's
// resend on a fresh connection when the dropped one was pooled) and that
// got `second_error` ("" for success). Every other call's attempts reached
// the proxy once: the proxy saw exactly that many requests.
template <class B>
void check_sent_twice(const tables_fixture<B>& f, std::size_t requests_before,
                      const std::string& operation, const std::string& second_error,
                      std::size_t count) {
    std::size_t seen = 0, expected_requests = 0;
    for (const auto& m : f.calls) {
        if (m.operation != operation) {
            expected_requests += m.attempts.size();
            continue;
        }
        ++seen;
        expected_requests += 2;
        INFO(operation << ": " << m.error);
        REQUIRE(!m.attempts.empty());
        CHECK(m.attempts.size() <= 2);
        CHECK(m.attempts.back().error == second_error);
        CHECK(m.success == second_error.empty());
    }
    CHECK(seen == count);
    CHECK(f.proxy->requests() - requests_before == expected_requests);
}

} // namespace

TEMPLATE_TEST_CASE("tables fault: CreateTable answers lost, the retries meet ResourceInUse, "
                   "and create_tables still succeeds",
                   "[es]", BACKENDS) {
    tables_fixture<TestType> f(true);
    drop_answer_after(f, "creating ");
    auto before = f.proxy->requests();
    f.create();

    const auto& ev = f.cfg.events_table;
    const auto& sn = f.cfg.snapshots_table;
    const auto& cp = f.cfg.checkpoints_table;
    CHECK(f.proxy->injected_by_name() ==
          std::map<std::string, std::size_t>{{"close_after_forward", 3}});
    check_sent_twice(f, before, "CreateTable", "ResourceInUseException", 3);
    CHECK(f.lines == std::vector<std::string>{
                         "creating " + ev, "found " + ev + " after ResourceInUse (schema matches)",
                         "creating " + sn, "found " + sn + " after ResourceInUse (schema matches)",
                         "creating " + cp, "found " + cp + " after ResourceInUse (schema matches)",
                         ev + " is active", sn + " is active", cp + " is active"});
    f.check_ready();

    // And once more: nothing to do.
    f.on_line = nullptr;
    f.create();
    CHECK(f.said("found " + ev + " (schema matches)"));
    CHECK(f.said("found " + sn + " (schema matches)"));
    CHECK(f.said("found " + cp + " (schema matches)"));
    CHECK(f.calls_of("CreateTable") == 0);
}

TEMPLATE_TEST_CASE("tables fault: force with the answers to DeleteTable and CreateTable lost",
                   "[es]", BACKENDS) {
    tables_fixture<TestType> f(true);
    f.create();
    drop_answer_after(f, "deleting ");
    auto before = f.proxy->requests();
    f.create(true);
    CHECK(f.proxy->injected_by_name().at("close_after_forward") == 3);
    CHECK(f.calls_of("DeleteTable") == 3);
    // The resent DeleteTable finds the table gone (moto) or being deleted
    // (dynalite, which deletes it again); either way all three are recreated.
    std::size_t expected_requests = 0;
    for (const auto& m : f.calls)
        expected_requests += m.operation == "DeleteTable" ? 2 : m.attempts.size();
    CHECK(f.proxy->requests() - before == expected_requests);
    f.check_ready();

    drop_answer_after(f, "creating ");
    before = f.proxy->requests();
    f.create(true);
    CHECK(f.proxy->injected_by_name().at("close_after_forward") == 6);
    check_sent_twice(f, before, "CreateTable", "ResourceInUseException", 3);
    f.check_ready();
}

TEST_CASE("tables fault: the answer to UpdateTimeToLive lost - moto_backend", "[es]") {
    tables_fixture<moto_backend> f(true);
    f.cfg.ttl = true;
    drop_answer_after(f, "enabling TTL");
    f.create();
    CHECK(f.proxy->injected_by_name().at("close_after_forward") == 1);
    CHECK(f.calls_of("UpdateTimeToLive") == 1);
    auto ttl = f.run([&]() -> awaitable<describe_time_to_live_response> {
        co_return co_await f.direct.describe_time_to_live(f.cfg.events_table);
    });
    REQUIRE(ttl.time_to_live_description);
    CHECK(ttl.time_to_live_description->time_to_live_status == time_to_live_status::enabled);
    CHECK(ttl.time_to_live_description->attribute_name == "expires_at");
}

// DynamoDB (unlike moto) refuses to enable TTL twice with a ValidationException.
// The first UpdateTimeToLive reaches moto, which enables TTL, and its answer
// is dropped; the resent request gets DynamoDB's refusal (a canned answer).
// create_tables looks again and finds TTL on its attribute.
TEST_CASE("tables fault: UpdateTimeToLive refused as already enabled after its answer was "
          "lost - moto_backend",
          "[es]") {
    tables_fixture<moto_backend> f(true);
    f.cfg.ttl = true;
    f.on_line = [&f](const std::string& line) {
        if (line.rfind("enabling TTL", 0) != 0)
            return;
        f.proxy->push({ddb::test::fault::close_after_forward});
        f.proxy->push({ddb::test::fault::respond,
                       400,
                       R"({"__type":"com.amazon.coral.validate#ValidationException",)"
                       R"("message":"TimeToLive is already enabled"})",
                       {},
                       "already_enabled"});
    };
    f.create();
    const std::string where = f.cfg.events_table + ".expires_at";
    CHECK(f.proxy->injected_by_name() ==
          std::map<std::string, std::size_t>{{"close_after_forward", 1}, {"already_enabled", 1}});
    REQUIRE(f.calls_of("UpdateTimeToLive") == 1);
    for (const auto& m : f.calls)
        if (m.operation == "UpdateTimeToLive")
            CHECK(m.attempts.back().error == "ValidationException");
    CHECK(f.lines.back() == "TTL already enabled on " + where);
    CHECK(f.calls_of("DescribeTimeToLive") == 2);

    // A refusal while TTL is not on: the error is the caller's.
    tables_fixture<moto_backend> g(true);
    g.cfg.ttl = true;
    g.on_line = [&g](const std::string& line) {
        if (line.rfind("enabling TTL", 0) == 0)
            g.proxy->push({ddb::test::fault::respond,
                           400,
                           R"({"__type":"com.amazon.coral.validate#ValidationException",)"
                           R"("message":"TimeToLive is being disabled"})",
                           {},
                           "refused"});
    };
    CHECK_THROWS_AS(g.create(), validation_error);
    CHECK(g.proxy->injected_by_name().at("refused") == 1);
}
