// The client's send path over a scripted transport (no sockets): retries of
// throttling, 5xx and transport errors, the retry quota, errors never
// retried, attempt and call timeouts, the signed request, the CRC32 and body
// checks, metrics, the log and the per-attempt hook.
#include <ddb/client/client.hpp>
#include <ddb/http/checks.hpp>
#include <ddb/http/transport.hpp>
#include <ddb/sigv4/signer.hpp>

#include "../support/client_setup.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/crc.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>
#include <deque>
#include <iomanip>
#include <sstream>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c + 32);
    return out;
}

// What the client handed the transport.
struct sent_request {
    http::origin to;
    std::string method, target, body, head;
    std::vector<std::pair<std::string, std::string>> headers;
    steady::time_point at, deadline;

    // The value of the one field named `name` (any case); "" when absent.
    std::string header(std::string_view name) const {
        std::string found;
        int count = 0;
        for (const auto& [n, v] : headers)
            if (lower(n) == lower(name)) {
                found = v;
                ++count;
            }
        CHECK(count <= 1);
        return found;
    }
};

// One scripted outcome of a send.
struct step {
    enum kind { respond, fail, stall } what = respond;
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> fields;
    http::errc error = http::errc::io_error;
};

// A transport that answers from a script and records what it was sent.
class scripted_transport final : public http::transport {
public:
    std::deque<step> script;
    std::vector<sent_request> sent;

    awaitable<http::raw_response> send(const http::origin& to, const http::request_view& req,
                                       steady::time_point deadline,
                                       http::exchange_info* info) override {
        record(to, req, deadline);
        if (script.empty())
            throw std::logic_error("scripted_transport: no step left for request " +
                                   std::to_string(sent.size()));
        step s = std::move(script.front());
        script.pop_front();
        if (info)
            info->bytes_sent += sent.back().head.size() + req.body.size();
        if (s.what == step::fail)
            throw http::transport_error(s.error, "scripted failure");
        if (s.what == step::stall) { // as the pooled transport: nothing until the deadline
            asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
            co_await timer.async_wait(asio::use_awaitable);
            throw http::transport_error(http::errc::attempt_timeout, "scripted stall");
        }
        http::raw_response res;
        res.set_status(s.status, s.status == 200 ? "OK" : "Error", 11);
        for (auto& [name, value] : s.fields)
            res.add_field(name, value);
        res.body() = s.body;
        if (info) {
            info->bytes_received += s.body.size();
            info->reused_connection = sent.size() > 1;
        }
        co_return res;
    }

private:
    void record(const http::origin& to, const http::request_view& req,
                steady::time_point deadline) {
        sent_request r;
        r.to = to;
        r.method = req.method;
        r.target = req.target;
        r.body = req.body;
        for (const auto& f : req.headers)
            r.headers.emplace_back(f.name, f.value);
        http::render_head(req, r.head);
        r.at = steady::now();
        r.deadline = deadline;
        sent.push_back(std::move(r));
    }
};

std::string crc_of(std::string_view body) {
    boost::crc_32_type crc;
    crc.process_bytes(body.data(), body.size());
    return std::to_string(crc.checksum());
}

int request_ids = 0;

// A DynamoDB answer: JSON, a request id and the body's x-amz-crc32.
step answer(unsigned status, std::string body) {
    step s;
    s.status = status;
    s.fields = {{"x-amzn-RequestId", "rid-" + std::to_string(++request_ids)},
                {"Content-Type", "application/x-amz-json-1.0"},
                {"x-amz-crc32", crc_of(body)}};
    s.body = std::move(body);
    return s;
}
step ok(std::string body = R"({"TableNames":[]})") {
    return answer(200, std::move(body));
}
step error_answer(unsigned status, const std::string& type,
                  const std::string& message = "scripted") {
    return answer(status, R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type +
                              R"(","message":")" + message + "\"}");
}
step failure(http::errc e) {
    step s;
    s.what = step::fail;
    s.error = e;
    return s;
}
step stall() {
    step s;
    s.what = step::stall;
    return s;
}
// A 200 whose body does not match its x-amz-crc32 (a bit flipped on the way).
step damaged() {
    step s = ok();
    s.body[2] ^= 0x01;
    return s;
}

// A copy of what `on_attempt` saw (its views end with the call).
struct attempt_seen {
    std::string operation, error;
    int attempt, max_attempts;
    attempt_outcome outcome;
    error_code code;
    retry_class retry;
    unsigned status;
    milliseconds delay;
};

struct fixture {
    explicit fixture(std::function<void(client_config&)> tweak = {}) {
        client_config cfg = test::config_for("https://dynamodb.us-east-1.amazonaws.com");
        cfg.transport = transport;
        cfg.hooks.on_call = [this](const call_metrics& m) { calls.push_back(m); };
        cfg.hooks.log = [this](log_level, std::string_view line) { log.emplace_back(line); };
        cfg.hooks.on_attempt = [this](const attempt_info& a) {
            attempts.push_back({std::string(a.operation), std::string(a.error), a.attempt,
                                a.max_attempts, a.outcome, a.code, a.retry, a.status, a.delay});
        };
        if (tweak)
            tweak(cfg);
        c.emplace(ioc.get_executor(), cfg);
    }

    json::value call(const std::string& op = "ListTables", json::value body = json::object{}) {
        return test::run(ioc,
                         [&]() -> awaitable<json::value> { co_return co_await c->call(op, body); });
    }
    // The exception a call throws (FAIL when it returns).
    std::exception_ptr failure_of(const std::string& op = "ListTables") {
        try {
            call(op);
        } catch (...) {
            return std::current_exception();
        }
        FAIL("the call succeeded");
        return {};
    }
    const call_metrics& last() const {
        REQUIRE(!calls.empty());
        return calls.back();
    }
    std::vector<std::string> errors() const {
        std::vector<std::string> e;
        for (auto& a : last().attempts)
            e.push_back(a.error);
        return e;
    }
    std::vector<attempt_outcome> outcomes() const {
        std::vector<attempt_outcome> o;
        for (auto& a : attempts)
            o.push_back(a.outcome);
        return o;
    }

    std::shared_ptr<scripted_transport> transport = std::make_shared<scripted_transport>();
    std::vector<call_metrics> calls;
    std::vector<attempt_seen> attempts;
    std::vector<std::string> log;
    asio::io_context ioc;
    std::optional<client> c;
};

template <class E>
E thrown_as(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const E& typed) {
        return typed;
    } catch (const std::exception& other) {
        FAIL("another exception: " << other.what());
    }
    throw std::logic_error("unreachable");
}

using outcome = attempt_outcome;

} // namespace

TEST_CASE("send path: throttling is retried after the chosen delay, then the answer returned",
          "[send_path]") {
    fixture f([](client_config& c) {
        c.retry->base_delay = milliseconds(40); // jitter 0.5: 20 ms before attempt 2
    });
    f.transport->script = {error_answer(400, "ThrottlingException"), ok()};
    CHECK(f.call() == json::parse(R"({"TableNames":[]})"));
    REQUIRE(f.transport->sent.size() == 2);
    CHECK(f.transport->sent[1].at - f.transport->sent[0].at >= milliseconds(20));
    CHECK(f.errors() == std::vector<std::string>{"ThrottlingException", ""});
    CHECK(f.last().success);
    CHECK(f.last().attempts[0].status == 400);
    CHECK(f.last().attempts[0].request_id == "rid-" + std::to_string(request_ids - 1));
    CHECK(f.last().attempts[0].backoff_after == milliseconds(20));
    CHECK(f.last().attempts[1].status == 200);
    CHECK(f.outcomes() == std::vector{outcome::retrying, outcome::success});
    CHECK(f.attempts[0].retry == retry_class::throttling);
    CHECK(f.attempts[0].code == service_errc::throttling);
    CHECK(f.attempts[0].delay == milliseconds(20));
    CHECK(f.attempts[0].status == 400);
    CHECK(f.attempts[1].attempt == 2);
    CHECK(f.attempts[1].max_attempts == 3);
    CHECK(f.attempts[1].status == 200);
    CHECK(f.c->retries().quota_available() == 500); // the retry's 5 came back on success
    CHECK(std::count(f.log.begin(), f.log.end(),
                     "ListTables attempt 1 failed: ThrottlingException, retrying in 20 ms") == 1);
}

TEST_CASE("send path: 5xx until the attempts run out surfaces the last error, typed",
          "[send_path]") {
    fixture f;
    f.transport->script = {error_answer(500, "InternalServerError", "first"),
                           error_answer(503, "ServiceUnavailable", "second"),
                           error_answer(500, "InternalServerError", "third")};
    auto e = thrown_as<internal_server_error>(f.failure_of());
    CHECK(e.message() == "third");
    CHECK(e.status() == 500);
    CHECK(e.request_id() == "rid-" + std::to_string(request_ids));
    CHECK(f.transport->sent.size() == 3);
    CHECK(f.outcomes() == std::vector{outcome::retrying, outcome::retrying, outcome::giving_up});
    CHECK(f.attempts[2].retry == retry_class::transient);
    CHECK_FALSE(f.last().success);
    CHECK(f.last().error == e.what());
    CHECK(f.last().attempts.size() == 3);
    CHECK(f.c->retries().quota_available() == 490); // two retries, no success
}

TEST_CASE("send path: 5xx until the retry quota runs out", "[send_path]") {
    fixture f([](client_config& c) { c.retry->quota_capacity = 5; }); // one retry's worth
    f.transport->script = {error_answer(500, "InternalServerError"),
                           error_answer(503, "ServiceUnavailable"), ok()};
    (void)thrown_as<service_unavailable>(f.failure_of());
    CHECK(f.transport->sent.size() == 2); // attempts were left, the quota was not
    CHECK(f.outcomes() == std::vector{outcome::retrying, outcome::giving_up});
    CHECK(f.attempts[1].attempt == 2);
    CHECK(f.c->retries().quota_available() == 0);
}

TEST_CASE("send path: transient transport errors are retried, others are not", "[send_path]") {
    fixture f;
    f.transport->script = {failure(http::errc::connection_closed),
                           failure(http::errc::connect_failed), ok()};
    CHECK(f.call().is_object());
    CHECK(f.transport->sent.size() == 3);
    CHECK(f.errors() ==
          std::vector<std::string>{"connection closed before the response was complete",
                                   "connection failed", ""});
    CHECK(f.attempts[0].retry == retry_class::transient);
    CHECK(f.attempts[0].status == 0);
    CHECK(f.attempts[1].code == http::errc::connect_failed);

    f.transport->script = {failure(http::errc::response_too_large), ok()};
    auto e = thrown_as<http::transport_error>(f.failure_of());
    CHECK(e.code() == http::errc::response_too_large);
    CHECK(f.transport->sent.size() == 4); // one more, not retried
    CHECK(f.attempts.back().outcome == outcome::giving_up);
    CHECK(f.attempts.back().retry == retry_class::none);
}

TEST_CASE("send path: errors of the request itself are never retried", "[send_path]") {
    fixture f;
    f.transport->script = {error_answer(400, "ValidationException", "bad key"), ok()};
    auto v = thrown_as<validation_error>(f.failure_of("GetItem"));
    CHECK(v.message() == "bad key");
    CHECK(v.operation() == "GetItem");
    CHECK(f.transport->sent.size() == 1);

    f.transport->script = {error_answer(400, "ConditionalCheckFailedException"), ok()};
    (void)thrown_as<conditional_check_failed>(f.failure_of("PutItem"));
    CHECK(f.transport->sent.size() == 2);
    CHECK(f.outcomes() == std::vector{outcome::giving_up, outcome::giving_up});
    CHECK(f.attempts[1].retry == retry_class::none);
    CHECK(f.c->retries().quota_available() == 500);
    CHECK(f.log.back() == "PutItem attempt 1 failed: ConditionalCheckFailedException, giving up");
}

TEST_CASE("send path: expired credentials are refreshed and the request re-signed at once, once",
          "[send_path]") {
    struct counting : credentials_provider {
        int fetches = 0, invalidations = 0;
        asio::awaitable<credentials> fetch() override {
            ++fetches;
            credentials c = test::test_credentials;
            c.access_key_id += std::to_string(fetches); // each fetch signs differently
            co_return c;
        }
        std::string name() const override { return "counting"; }
        void invalidate() override { ++invalidations; }
    };
    auto provider = std::make_shared<counting>();
    fixture f([&](client_config& c) { c.credentials = provider; });
    f.transport->script = {error_answer(400, "ExpiredTokenException"),
                           error_answer(400, "ExpiredTokenException"), ok()};
    CHECK(f.call().is_object());
    CHECK(provider->invalidations == 1); // the second is an ordinary retry
    CHECK(provider->fetches == 3);
    REQUIRE(f.transport->sent.size() == 3);
    CHECK(f.transport->sent[0].header("Authorization").find("AKIDDDBTEST1/") != std::string::npos);
    CHECK(f.transport->sent[1].header("Authorization").find("AKIDDDBTEST2/") != std::string::npos);
    CHECK(f.attempts[0].retry == retry_class::expired_token);
    CHECK(f.attempts[0].delay == milliseconds(0));
    CHECK(f.outcomes() == std::vector{outcome::retrying, outcome::retrying, outcome::success});
}

TEST_CASE("send path: each attempt has the attempt timeout, within the call's deadline",
          "[send_path]") {
    fixture f([](client_config& c) { c.attempt_timeout = milliseconds(50); });
    f.transport->script = {stall(), ok()};
    CHECK(f.call().is_object());
    REQUIRE(f.transport->sent.size() == 2);
    for (const auto& s : f.transport->sent) {
        CHECK(s.deadline - s.at <= milliseconds(50));
        CHECK(s.deadline - s.at > milliseconds(40));
    }
    CHECK(f.errors()[0] == "request timed out");
    CHECK(f.attempts[0].retry == retry_class::timeout);
    CHECK(f.c->retries().quota_available() == 500); // 10 taken, given back on success

    f.transport->script = {stall(), stall(), stall()};
    auto e = thrown_as<http::transport_error>(f.failure_of());
    CHECK(e.code() == http::errc::attempt_timeout);
    CHECK(f.transport->sent.size() == 5);
    CHECK(f.c->retries().quota_available() == 480); // two timeout retries

    // The call's deadline caps an attempt's, and ends the call.
    fixture g([](client_config& c) {
        c.attempt_timeout = milliseconds(50);
        c.call_timeout = milliseconds(80);
    });
    g.transport->script = {stall(), stall(), ok()};
    CHECK(thrown_as<http::transport_error>(g.failure_of()).code() == http::errc::attempt_timeout);
    REQUIRE(g.transport->sent.size() == 2);
    CHECK(g.transport->sent[1].deadline - g.transport->sent[0].deadline <= milliseconds(30));
    CHECK(g.outcomes() == std::vector{outcome::retrying, outcome::giving_up});
}

TEST_CASE("send path: the request is signed and carries the DynamoDB headers", "[send_path]") {
    fixture f;
    f.transport->script = {ok(R"({"Item":{"pk":{"S":"k"}}})")};
    json::value get = {{"TableName", "t"}, {"Key", {{"pk", {{"S", "k"}}}}}};
    CHECK(f.call("GetItem", get).at("Item").at("pk").at("S") == "k");
    REQUIRE(f.transport->sent.size() == 1);
    const sent_request& s = f.transport->sent[0];
    CHECK(s.to == http::origin{true, "dynamodb.us-east-1.amazonaws.com", 443});
    CHECK(s.method == "POST");
    CHECK(s.target == "/");
    CHECK(json::parse(s.body) == get);
    CHECK(s.header("Host") == "dynamodb.us-east-1.amazonaws.com");
    CHECK(s.header("Content-Type") == "application/x-amz-json-1.0");
    CHECK(s.header("X-Amz-Target") == "DynamoDB_20120810.GetItem");
    CHECK(s.header("X-Amz-Security-Token") == test::test_credentials.session_token);
    CHECK(s.header("User-Agent").starts_with("ddb/"));
    const std::string date = s.header("X-Amz-Date");
    REQUIRE(date.size() == 16);
    CHECK(date.back() == 'Z');
    const std::string auth = s.header("Authorization");
    CHECK(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDDDBTEST/" + date.substr(0, 8) +
                           "/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;"
                           "x-amz-date;x-amz-security-token;x-amz-target, Signature="));

    // The signature is the one SigV4 gives for that request at that time.
    std::tm tm{};
    std::istringstream(date) >> std::get_time(&tm, "%Y%m%dT%H%M%SZ");
    const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
    const std::string host = s.header("Host"), type = s.header("Content-Type"),
                      target = s.header("X-Amz-Target");
    const sigv4::header to_sign[] = {
        {"host", host}, {"content-type", type}, {"x-amz-target", target}};
    sigv4::request req;
    req.headers = to_sign;
    req.payload = s.body;
    auto expected = sigv4::sign(req, {test::test_credentials, "us-east-1", "dynamodb", at});
    CHECK(auth == expected.authorization);

    // The head on the wire: request line, the fields, Content-Length, end.
    CHECK(s.head.starts_with("POST / HTTP/1.1\r\nHost: dynamodb.us-east-1.amazonaws.com\r\n"));
    CHECK(s.head.find("\r\nContent-Length: " + std::to_string(s.body.size()) + "\r\n\r\n") !=
          std::string::npos);
    CHECK(s.head.ends_with("\r\n\r\n"));
}

TEST_CASE("send path: a damaged body is retried and finally a protocol error, not a "
          "service error",
          "[send_path]") {
    fixture f;
    f.transport->script = {damaged(), ok()};
    CHECK(f.call().is_object());
    CHECK(f.transport->sent.size() == 2);
    CHECK(f.errors()[0] == "response CRC32 mismatch");
    CHECK(f.attempts[0].code == http::errc::crc32_mismatch);
    CHECK(f.attempts[0].retry == retry_class::transient);

    f.transport->script = {damaged(), damaged(), damaged()};
    auto e = f.failure_of();
    try {
        std::rethrow_exception(e);
    } catch (const service_error& s) {
        FAIL("a service error: " << s.what());
    } catch (const http::protocol_error& p) {
        CHECK(p.code() == http::errc::crc32_mismatch);
        CHECK(p.transient());
        CHECK(p.status() == 200);
        CHECK(p.request_id() == "rid-" + std::to_string(request_ids));
        CHECK_THAT(p.what(), Catch::StartsWith("ListTables: x-amz-crc32 "));
    }
    CHECK(f.transport->sent.size() == 5);
    CHECK(f.last().attempts.size() == 3);
    CHECK(f.last().attempts[2].request_id == "rid-" + std::to_string(request_ids));
}

TEST_CASE("send path: a 200 that is not JSON is a protocol error, not retried", "[send_path]") {
    fixture f;
    step html = ok("<html>Welcome to the captive portal</html>");
    html.fields[1].second = "text/html";
    f.transport->script = {html, ok()};
    auto e = thrown_as<http::protocol_error>(f.failure_of());
    CHECK(e.code() == http::errc::unparsable_body);
    CHECK_FALSE(e.transient());
    CHECK(e.status() == 200);
    CHECK(e.content_type() == "text/html");
    CHECK(e.body_excerpt() == "<html>Welcome to the captive portal</html>");
    CHECK_THAT(e.what(), Catch::Contains("200 response is not JSON"));
    CHECK(f.transport->sent.size() == 1);

    f.transport->script = {ok("[1,2]")}; // JSON, but not an object
    CHECK_THAT(thrown_as<http::protocol_error>(f.failure_of()).what(),
               Catch::Contains("not a JSON object"));
    // An error answer that is not JSON stays the service's error.
    step gateway = answer(502, "<html>Bad Gateway</html>");
    f.transport->script = {gateway, gateway, gateway};
    CHECK(thrown_as<unexpected_response>(f.failure_of()).status() == 502);
    CHECK(f.transport->sent.size() == 5);
}

TEST_CASE("send path: metrics count attempts, bytes and capacity; hooks see no secret",
          "[send_path]") {
    fixture f;
    const std::string body = R"({"TableNames":[],"ConsumedCapacity":{"CapacityUnits":1}})";
    f.transport->script = {failure(http::errc::connection_closed), ok(body)};
    CHECK(f.call().is_object());
    const call_metrics& m = f.last();
    CHECK(m.operation == "ListTables");
    CHECK(m.success);
    REQUIRE(m.attempts.size() == 2);
    CHECK(m.attempts[1].reused_connection);
    CHECK(m.attempts[1].request_id == "rid-" + std::to_string(request_ids));
    std::size_t sent_bytes = 0;
    for (auto& s : f.transport->sent)
        sent_bytes += s.head.size() + s.body.size();
    CHECK(m.bytes_sent == sent_bytes);
    CHECK(m.bytes_received == body.size());
    CHECK(m.consumed_capacity.at("CapacityUnits") == 1);
    CHECK(m.total >= m.attempts[0].latency + m.attempts[1].latency);
    CHECK(f.c->pool_stats().requests == 0); // a transport without pools

    f.transport->script = {error_answer(400, "UnrecognizedClientException", "bad key")};
    (void)f.failure_of();
    std::vector<std::string> seen = f.log;
    for (auto& a : f.attempts)
        seen.push_back(a.operation + " " + a.error);
    for (auto& c : f.calls)
        seen.push_back(c.error);
    for (const auto& text : seen) {
        CHECK(text.find(test::test_credentials.secret_access_key) == std::string::npos);
        CHECK(text.find(test::test_credentials.session_token) == std::string::npos);
    }
}

TEST_CASE("render_head: Content-Length as Beast's prepare_payload sets it", "[send_path]") {
    const http::header_field host[] = {{"Host", "example.com"}};
    auto head = [&](std::string_view method, std::string_view body) {
        http::request_view r;
        r.method = method;
        r.target = "/latest/api/token";
        r.headers = host;
        r.body = body;
        std::string out;
        http::render_head(r, out);
        return out;
    };
    CHECK(head("GET", "") == "GET /latest/api/token HTTP/1.1\r\nHost: example.com\r\n\r\n");
    CHECK(head("PUT", "") ==
          "PUT /latest/api/token HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n");
    CHECK(head("POST", "{}") ==
          "POST /latest/api/token HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\n");
}
