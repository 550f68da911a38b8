// The send path of every call: a short loop of named steps, each attempt
// rendered and signed, sent through the transport seam, checked, observed
// (metrics, log, attempt hook) and, when it failed, decided on (retry or not).
#include <ddb/client/errors.hpp>
#include <ddb/client/metrics.hpp>
#include <ddb/core/saturating_time.hpp>
#include <ddb/credentials/error.hpp>
#include <ddb/http/checks.hpp>
#include <ddb/sigv4/error.hpp>
#include <ddb/sigv4/signer.hpp>
#include <ddb/value/error.hpp>

#include "detail/state.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>

#include <array>

namespace ddb::detail {

namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

// The offset of the first byte of `s` that is not well-formed UTF-8 (no
// overlong forms, surrogates or code points above U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        unsigned char lo = 0x80, hi = 0xBF; // range of the second byte
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else
            return i;
        if (n - i < len || p[i + 1] < lo || p[i + 1] > hi)
            return i;
        for (std::size_t k = 2; k < len; ++k)
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return std::string_view::npos;
}

// JSON text must be UTF-8: refuse rather than send bytes DynamoDB would
// reject or store mangled.
void refuse_invalid_utf8(std::string_view operation, std::string_view request_json) {
    if (auto bad = invalid_utf8_at(request_json); bad != std::string_view::npos)
        throw value_error(value_errc::invalid_utf8,
                          std::string(operation) + " request: a string is not valid UTF-8 (byte " +
                              std::to_string(bad) + " of the JSON)");
}

// One call across its attempts.
struct call_state {
    call_state(client_state& s, std::string_view op, std::string_view request_json)
        : st(s)
        , operation(op)
        , body(request_json)
        , started(steady::now())
        // (Saturating: milliseconds::max() is "no limit", not an overflow.)
        , deadline(s.cfg.call_timeout ? saturating_add(started, *s.cfg.call_timeout)
                                      : steady::time_point::max())
        , observe(static_cast<bool>(s.cfg.hooks.on_call))
        , logging(static_cast<bool>(s.cfg.hooks.log))
        , hooked(static_cast<bool>(s.cfg.hooks.on_attempt))
        , max_attempts(s.retries.config().max_attempts) {
        const std::string_view prefix = s.service->target_prefix;
        target.reserve(prefix.size() + operation.size());
        target.append(prefix).append(operation);
        if (observe)
            metrics.operation = operation;
    }

    client_state& st;
    std::string_view operation;
    std::string_view body; // the request's JSON
    std::string target;    // X-Amz-Target
    steady::time_point started, deadline;
    bool observe, logging, hooked; // on_call, log, on_attempt are set
    int max_attempts;
    call_metrics metrics;
    int retried_cost = 0;
    bool refreshed_credentials = false;
};

// One attempt: when it started, what the wire saw, how it ended.
struct attempt_record {
    explicit attempt_record(int n)
        : number(n)
        , start(steady::now()) {}
    int number;
    steady::time_point start;
    http::exchange_info info;
    unsigned status = 0;
    std::exception_ptr error;

    microseconds latency() const {
        return std::chrono::duration_cast<microseconds>(steady::now() - start);
    }
};

// What an attempt sends: the request, and the credentials and signature
// its header fields point into.
struct signed_request {
    credentials creds;
    const endpoint_target* target = nullptr;     // where it goes
    std::shared_ptr<const endpoint_target> keep; // an account target, kept alive
    sigv4::signing_result signature;
    std::array<http::header_field, 7> fields;
    http::request_view view;
};

// ---- Step 1: render and sign ---------------------------------------------

// The attempt's request to `req.target`: the call's fixed fields, then the
// signature's (X-Amz-Date, the session token, Authorization), signed now
// with `req.creds`.
void render_and_sign(call_state& call, signed_request& req) {
    const client_state& st = call.st;
    const endpoint_target& to = *req.target;
    const sigv4::header to_sign[] = {{"host", to.host_header},
                                     {"content-type", json_content_type},
                                     {"x-amz-target", call.target}};
    sigv4::request signing_view;
    signing_view.path = to.where.endpoint.path;
    signing_view.headers = to_sign;
    signing_view.payload = call.body;
    req.signature = sigv4::sign(
        signing_view,
        {req.creds, to.where.signing_region, "dynamodb", std::chrono::system_clock::now()},
        &call.st.keys);
    // The access key id is in Authorization: no header injection.
    if (has_cr_lf_nul(req.signature.authorization))
        throw sigv4::signing_error(sigv4::errc::invalid_header_value,
                                   "access key id contains CR, LF or NUL");
    std::size_t n = 0;
    req.fields[n++] = {"Host", to.host_header};
    req.fields[n++] = {"Content-Type", json_content_type};
    req.fields[n++] = {"User-Agent", st.user_agent};
    req.fields[n++] = {"X-Amz-Target", call.target};
    req.fields[n++] = {"X-Amz-Date", req.signature.amz_date};
    if (!req.signature.security_token.empty())
        req.fields[n++] = {"X-Amz-Security-Token", req.signature.security_token};
    req.fields[n++] = {"Authorization", req.signature.authorization};
    req.view.method = "POST";
    req.view.target = to.where.endpoint.path;
    req.view.headers = std::span<const http::header_field>(req.fields.data(), n);
    req.view.body = call.body;
}

// ---- Step 2: the attempt (through the transport seam, in send_call) -------

steady::time_point attempt_deadline(const call_state& call, const attempt_record& rec) {
    return std::min(call.deadline, saturating_add(rec.start, call.st.cfg.attempt_timeout));
}

// ---- Step 3: check ---------------------------------------------------------

// The answer of a whole response: its CRC32 checked, an error answer thrown
// as its service_error, a 200 body decoded by `fast` or parsed (into an
// arena of its own with `own_arena`).
json::value check(const call_state& call, const http::raw_response& res, json::storage_ptr& sp,
                  bool own_arena, const body_decoder* fast) {
    http::check_crc32(res, call.operation);
    if (res.status() != 200)
        throw_service_error(res.status(), res["content-type"], res.body(),
                            std::string(res["x-amzn-RequestId"]), std::string(call.operation));
    if (fast && (*fast)(res.body()))
        return nullptr;
    if (own_arena)
        sp = json::make_shared_resource<json::monotonic_resource>(2 * res.body().size() + 1024);
    return http::parse_json_body(res, sp, max_response_depth, call.operation);
}

// ---- Step 4: observe ------------------------------------------------------

// What observers are told about a failed attempt's error.
struct error_facts {
    std::string name; // as attempt_metrics::error has it
    std::string request_id;
    error_code code;
    json::array throttling_reasons;
};

error_facts facts_of(const std::exception_ptr& e) {
    error_facts f;
    try {
        std::rethrow_exception(e);
    } catch (const service_error& s) {
        f = {s.type().empty() ? s.code().message() : s.type(), s.request_id(), s.code(), {}};
        if (auto* p = dynamic_cast<const provisioned_throughput_exceeded*>(&s))
            f.throttling_reasons = p->throttling_reasons();
    } catch (const http::protocol_error& p) {
        f = {p.code().message(), p.request_id(), p.code(), {}};
    } catch (const ddb::error& d) {
        f = {d.code().message(), {}, d.code(), {}};
    } catch (const std::exception& x) {
        f.name = x.what();
    }
    return f;
}

// The call's metrics record, to `on_call`, when the call ends.
void report_call(call_state& call, const std::exception_ptr& error) {
    if (!call.observe)
        return;
    call.metrics.success = !error;
    call.metrics.total = std::chrono::duration_cast<microseconds>(steady::now() - call.started);
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            call.metrics.error = e.what();
        }
    }
    call.st.cfg.hooks.on_call(call.metrics);
}

// What the on_attempt hook is told about every attempt; the outcome's
// fields are added by the caller.
attempt_info attempt_facts(const call_state& call, const attempt_record& rec) {
    attempt_info a;
    a.operation = call.operation;
    a.attempt = rec.number;
    a.max_attempts = call.max_attempts;
    a.status = rec.status;
    a.latency = rec.latency();
    return a;
}

void observe_success(call_state& call, const attempt_record& rec, const http::raw_response& res,
                     const json::value& answer) {
    if (call.observe) {
        call.metrics.attempts.push_back({rec.latency(),
                                         rec.status,
                                         {},
                                         std::string(res["x-amzn-RequestId"]),
                                         rec.info.reused_connection,
                                         {}});
        call.metrics.bytes_sent += rec.info.bytes_sent;
        call.metrics.bytes_received += rec.info.bytes_received;
        if (auto* cc =
                answer.is_object() ? answer.get_object().if_contains("ConsumedCapacity") : nullptr)
            call.metrics.consumed_capacity = *cc;
    }
    if (call.logging)
        call.st.log(log_level::debug,
                    std::string(call.operation) + " attempt " + std::to_string(rec.number) +
                        ": HTTP 200" + (rec.info.reused_connection ? " (pooled connection)" : ""));
    if (call.hooked)
        call.st.cfg.hooks.on_attempt(attempt_facts(call, rec));
    report_call(call, nullptr);
}

// ---- Step 5: decide -------------------------------------------------------

struct decision {
    retry_class cls = retry_class::none;
    bool again = false;
    milliseconds delay{0}; // before the next attempt
};

// Whether a failed attempt is tried again, and after how long: expired
// credentials are refreshed and re-signed at once (once); a retryable error
// within the attempts, the quota and the call's deadline waits its backoff.
decision decide(call_state& call, const attempt_record& rec) {
    client_state& st = call.st;
    decision d;
    d.cls = classify_retry(rec.error);
    if (st.limiter)
        st.limiter->record(d.cls == retry_class::throttling);
    if (d.cls == retry_class::expired_token && !call.refreshed_credentials) {
        st.creds->invalidate();
        call.refreshed_credentials = true;
        d.again = true;
    } else if (d.cls != retry_class::none && rec.number < call.max_attempts &&
               st.retries.acquire_retry(d.cls)) {
        call.retried_cost += st.retries.cost_of(d.cls);
        d.delay = st.retries.backoff(rec.number + 1);
        d.again = saturating_add(steady::now(), d.delay) < call.deadline;
    }
    return d;
}

void observe_failure(call_state& call, const attempt_record& rec, const decision& d) {
    if (!call.observe && !call.logging && !call.hooked)
        return;
    error_facts f = facts_of(rec.error);
    const milliseconds delay = d.again ? d.delay : milliseconds(0);
    if (call.observe) {
        call.metrics.attempts.push_back(
            {rec.latency(), rec.status, f.name, f.request_id, rec.info.reused_connection, delay});
        call.metrics.bytes_sent += rec.info.bytes_sent;
        call.metrics.bytes_received += rec.info.bytes_received;
        for (auto& r : f.throttling_reasons)
            call.metrics.throttling_reasons.push_back(r);
    }
    if (call.logging)
        call.st.log(d.again ? log_level::info : log_level::warning,
                    std::string(call.operation) + " attempt " + std::to_string(rec.number) +
                        " failed: " + f.name +
                        (d.again ? ", retrying in " + std::to_string(delay.count()) + " ms"
                                 : ", giving up"));
    if (call.hooked) {
        attempt_info a = attempt_facts(call, rec);
        a.outcome = d.again ? attempt_outcome::retrying : attempt_outcome::giving_up;
        a.code = f.code;
        a.error = f.name;
        a.retry = d.cls;
        a.delay = delay;
        call.st.cfg.hooks.on_attempt(a);
    }
}

} // namespace

asio::awaitable<json::value> send_call(std::shared_ptr<client_state> keep, std::string operation,
                                       std::string_view request_json, std::string owned_json,
                                       json::storage_ptr sp, bool own_arena,
                                       const body_decoder* fast) {
    client_state& st = *keep;
    if (!owned_json.empty())
        request_json = owned_json;
    refuse_invalid_utf8(operation, request_json);
    call_state call(st, operation, request_json);
    for (int n = 1;; ++n) {
        if (st.limiter)
            co_await st.limiter->acquire();
        attempt_record rec(n);
        try {
            signed_request req;
            req.creds = co_await st.creds->fetch();
            req.target = &st.endpoints.select(req.creds, req.keep);
            render_and_sign(call, req);
            const steady::time_point deadline = attempt_deadline(call, rec);
            http::raw_response res =
                co_await st.transport->send(req.target->origin, req.view, deadline, &rec.info);
            rec.status = res.status();
            json::value answer = check(call, res, sp, own_arena, fast);
            st.retries.on_success(call.retried_cost);
            if (st.limiter)
                st.limiter->record(false);
            observe_success(call, rec, res, answer);
            co_return answer;
        } catch (const service_error&) {
            rec.error = std::current_exception();
        } catch (const http::transport_error&) {
            rec.error = std::current_exception();
        } catch (const credentials_error&) {
            rec.error = std::current_exception();
        }
        // (Cancellation and other exceptions propagate from here unchanged.)
        const decision d = decide(call, rec);
        observe_failure(call, rec, d);
        if (!d.again) {
            report_call(call, rec.error);
            std::rethrow_exception(rec.error);
        }
        if (d.delay.count() > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor,
                                     saturating_add(steady::now(), d.delay));
            co_await timer.async_wait(asio::use_awaitable);
        }
    }
}

} // namespace ddb::detail
