#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/region.hpp>
#include <ddb/client/client.hpp>
#include <ddb/client/rate_limiter.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/core/saturating_time.hpp>
#include <ddb/credentials/profile_file.hpp>
#include <ddb/http/integrity.hpp>
#include <ddb/sigv4/error.hpp>
#include <ddb/sigv4/signer.hpp>
#include <ddb/value/error.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "../core/env.hpp"

#include <charconv>

#include <optional>

namespace ddb {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::string_view target_prefix = "DynamoDB_20120810.";
constexpr std::string_view json_content_type = "application/x-amz-json-1.0";

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

bool has_cr_lf_nul(std::string_view s) noexcept {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string error_name(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const service_error& s) {
        return s.type().empty() ? s.code().message() : s.type();
    } catch (const ddb::error& d) {
        return d.code().message();
    } catch (const std::exception& x) {
        return x.what();
    }
}

std::string ms_text(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

// Refuses settings that cannot work, naming the field and its value.
client_config checked(client_config c) {
    auto bad = [](const std::string& what) {
        throw config_error(config_errc::invalid_setting, "client_config::" + what);
    };
    if (c.attempt_timeout <= std::chrono::milliseconds::zero())
        bad("attempt_timeout must be > 0, got " + ms_text(c.attempt_timeout) +
            " (milliseconds::max() for no limit)");
    if (c.call_timeout && *c.call_timeout <= std::chrono::milliseconds::zero())
        bad("call_timeout must be > 0, got " + ms_text(*c.call_timeout) +
            " (std::nullopt or milliseconds::max() for no limit)");
    if (c.retry)
        c.retry->validate("client_config::retry.");
    http::validate(c.pool, "client_config::pool.");
    if (has_cr_lf_nul(c.user_agent_suffix))
        bad("user_agent_suffix contains CR, LF or NUL");
    return c;
}

// The shared config files, read at most once and only when a setting the
// client config and the environment leave open needs them. A syntax error
// is `credentials_error(malformed)` naming file and line, wherever it is met.
struct shared_files {
    profile_selection selection = profile_selection::from_environment();
    std::optional<profile_set> loaded;

    const profile_set& profiles() {
        if (!loaded)
            loaded = profile_set::load();
        return *loaded;
    }
    const profile* current() { return profiles().find(selection.name); }
};

std::string client_region(const client_config& cfg, shared_files& files) {
    if ((cfg.region && !cfg.region->empty()) || detail::getenv_nonempty("AWS_REGION") ||
        detail::getenv_nonempty("AWS_DEFAULT_REGION"))
        return resolve_region(cfg.region, profile_set{}, files.selection);
    return resolve_region(std::nullopt, files.profiles(), files.selection);
}

ddb::endpoint client_endpoint(const client_config& cfg, const std::string& region,
                              shared_files& files) {
    if ((cfg.endpoint && !cfg.endpoint->empty()) || ignoring_configured_urls())
        return resolve_endpoint(cfg.endpoint, region, profile_set{}, files.selection);
    return resolve_endpoint(std::nullopt, region, files.profiles(), files.selection);
}

retry_config client_retry(const client_config& cfg, shared_files& files) {
    if (cfg.retry)
        return *cfg.retry;
    if (detail::getenv_nonempty("AWS_MAX_ATTEMPTS") && detail::getenv_nonempty("AWS_RETRY_MODE"))
        return retry_config::from_environment(nullptr);
    return retry_config::from_environment(files.current());
}

// The transport, trusting pool.tls.ca_file, else AWS_CA_BUNDLE, else the
// profile's ca_bundle; a bundle that cannot be loaded names where it came from.
http::transport client_transport(const asio::any_io_executor& ex, const client_config& cfg,
                                 shared_files& files) {
    http::pool_options pool = cfg.pool;
    std::string source;
    if (!pool.tls.ca_file.empty()) {
        source = "client_config::pool.tls.ca_file";
    } else if (auto env = detail::getenv_nonempty("AWS_CA_BUNDLE")) {
        pool.tls.ca_file = *env;
        source = "AWS_CA_BUNDLE";
    } else if (const profile* p = files.current()) {
        if (auto v = p->get("ca_bundle"); v && !v->empty()) {
            pool.tls.ca_file = detail::expand_home(std::string(*v));
            source = "ca_bundle of profile '" + p->name + "'";
        }
    }
    try {
        return http::transport(ex, std::move(pool));
    } catch (const config_error& e) {
        if (source.empty() || e.code() != config_errc::invalid_setting)
            throw;
        throw config_error(config_errc::invalid_setting,
                           std::string(e.what()) + " (set by " + source + ")");
    }
}

} // namespace

struct client::state {
    state(asio::any_io_executor e, client_config c, shared_files& files)
        : ex(std::move(e))
        , cfg(checked(std::move(c)))
        , region(client_region(cfg, files))
        , ep(client_endpoint(cfg, region, files))
        , creds(cfg.credentials ? cfg.credentials : make_default_credentials_chain())
        , retries(client_retry(cfg, files))
        , transport(client_transport(ex, cfg, files)) {
        // Variables set to "" are ignored, as the AWS SDKs do; say so.
        if (!(cfg.region && !cfg.region->empty()))
            for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
                if (detail::getenv_set_but_empty(name))
                    log(log_level::warning, std::string(name) +
                                                " is set but empty: ignored; region " + region +
                                                " is used");
        if (!(cfg.endpoint && !cfg.endpoint->empty()))
            for (const char* name : {"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"})
                if (detail::getenv_set_but_empty(name))
                    log(log_level::warning, std::string(name) +
                                                " is set but empty: ignored; endpoint " + ep.url +
                                                " (" + ep.source + ") is used");
        origin = {ep.tls(), ep.host, ep.port};
        host_header = ep.host_header();
        user_agent = "ddb/0.1.0 cpp20 boost-beast";
        if (!cfg.user_agent_suffix.empty())
            user_agent += " " + cfg.user_agent_suffix;
        // Every request's head up to the operation name.
        head_prefix.append("POST ").append(ep.path).append(" HTTP/1.1\r\n");
        head_prefix.append("Host: ").append(host_header).append("\r\n");
        head_prefix.append("Content-Type: ").append(json_content_type).append("\r\n");
        head_prefix.append("User-Agent: ").append(user_agent).append("\r\n");
        head_prefix.append("X-Amz-Target: ").append(target_prefix);
        if (retries.config().mode == retry_mode::adaptive)
            limiter.emplace();
    }

    asio::any_io_executor ex;
    client_config cfg;
    std::string region;
    ddb::endpoint ep;
    http::origin origin;
    std::string host_header, user_agent, head_prefix;
    credentials_provider_ptr creds;
    retry_policy retries;
    std::optional<rate_limiter> limiter;
    http::transport transport;
    sigv4::signing_key_cache keys;

    void log(log_level level, const std::string& text) const {
        if (cfg.hooks.log)
            cfg.hooks.log(level, text);
    }
};

client::client(asio::any_io_executor ex, client_config config) {
    shared_files files;
    state_ = std::make_shared<state>(std::move(ex), std::move(config), files);
}

client::~client() = default;

const asio::any_io_executor& client::executor() const noexcept {
    return state_->ex;
}
const std::string& client::region() const noexcept {
    return state_->region;
}
const ddb::endpoint& client::endpoint() const noexcept {
    return state_->ep;
}
http::pool_stats client::pool_stats() const {
    return state_->transport.stats(state_->origin);
}
const retry_policy& client::retries() const noexcept {
    return state_->retries;
}

namespace {

// One call: `request_json`, or `owned_json` when that is not empty (the
// text a caller handed over with the call). With `own_arena` the answer is
// parsed into a monotonic arena of its own, sized from the body, that the
// returned value (and its copies) keep alive: one or two allocations in place
// of one per string, array and object, and no per-node frees.
asio::awaitable<json::value> call_impl(client::state& st, std::string_view operation,
                                       std::string_view request_json, std::string owned_json,
                                       json::storage_ptr sp, bool own_arena);

} // namespace

asio::awaitable<json::value> client::call(std::string_view operation, const json::value& request) {
    return call_impl(*state_, operation, {}, json::serialize(request), {}, true);
}

asio::awaitable<json::value>
client::call_json(std::string_view operation, std::string_view request_json, json::storage_ptr sp) {
    return call_impl(*state_, operation, request_json, {}, std::move(sp), false);
}

namespace {

asio::awaitable<json::value> call_impl(client::state& st, std::string_view operation,
                                       std::string_view request_json, std::string owned_json,
                                       json::storage_ptr sp, bool own_arena) {
    if (!owned_json.empty())
        request_json = owned_json;
    // JSON text must be UTF-8: refuse rather than send bytes DynamoDB
    // would reject or store mangled.
    if (auto bad = invalid_utf8_at(request_json); bad != std::string_view::npos)
        throw value_error(value_errc::invalid_utf8, std::string(operation) +
                                                        " request: a string is not valid UTF-8 "
                                                        "(byte " +
                                                        std::to_string(bad) + " of the JSON)");
    const auto started = steady::now();
    // (Saturating: milliseconds::max() is "no limit", not an overflow.)
    const auto deadline = st.cfg.call_timeout
                              ? detail::saturating_add(started, *st.cfg.call_timeout)
                              : steady::time_point::max();
    const bool observe = static_cast<bool>(st.cfg.hooks.on_call);
    const bool logging = static_cast<bool>(st.cfg.hooks.log);
    call_metrics metrics;
    if (observe)
        metrics.operation = operation;

    // The request head is built once up to its signature fields; each
    // attempt re-signs it and appends those (no Beast message, no field
    // container: one string and the body, written in one system call).
    std::string target;
    target.reserve(target_prefix.size() + operation.size());
    target.append(target_prefix).append(operation);
    std::string head;
    head.reserve(st.head_prefix.size() + operation.size() + 64 + 200 + 512);
    head.append(st.head_prefix).append(operation);
    head.append("\r\nContent-Length: ");
    {
        char digits[24];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, request_json.size());
        head.append(digits, end);
    }
    head.append("\r\n");
    const std::size_t unsigned_size = head.size();
    const sigv4::header to_sign[] = {
        {"host", st.host_header}, {"content-type", json_content_type}, {"x-amz-target", target}};
    sigv4::request signing_view;
    signing_view.path = st.ep.path;
    signing_view.headers = to_sign;
    signing_view.payload = request_json;

    int retried_cost = 0;
    bool refreshed_credentials = false;
    std::exception_ptr last_error;
    auto finish = [&](bool ok) {
        if (!observe)
            return;
        metrics.success = ok;
        metrics.total =
            std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - started);
        if (!ok && last_error) {
            try {
                std::rethrow_exception(last_error);
            } catch (const std::exception& e) {
                metrics.error = e.what();
            }
        }
        st.cfg.hooks.on_call(metrics);
    };

    const int max_attempts = st.retries.config().max_attempts;
    http::raw_response res;
    for (int attempt = 1;; ++attempt) {
        if (st.limiter)
            co_await st.limiter->acquire();
        const auto attempt_start = steady::now();
        std::exception_ptr error;
        http::exchange_info info;
        unsigned status = 0;
        std::string request_id;
        try {
            credentials creds = co_await st.creds->fetch();
            auto signed_ = sigv4::sign(
                signing_view, {creds, st.region, "dynamodb", std::chrono::system_clock::now()},
                &st.keys);
            // The access key id is in Authorization: no header injection.
            if (has_cr_lf_nul(signed_.authorization))
                throw sigv4::signing_error(sigv4::errc::invalid_header_value,
                                           "access key id contains CR, LF or NUL");
            head.resize(unsigned_size);
            head.append("X-Amz-Date: ").append(signed_.amz_date).append("\r\n");
            if (!signed_.security_token.empty())
                head.append("X-Amz-Security-Token: ").append(signed_.security_token).append("\r\n");
            head.append("Authorization: ").append(signed_.authorization).append("\r\n\r\n");

            auto attempt_deadline =
                std::min(deadline, detail::saturating_add(attempt_start, st.cfg.attempt_timeout));
            co_await st.transport.send_raw(st.origin, head, request_json, res, attempt_deadline,
                                           &info);
            status = res.status();
            auto error_info = [&] {
                request_id = std::string(res["x-amzn-RequestId"]);
                return service_error_info{status, {}, {}, request_id, std::string(operation)};
            };

            // Integrity: x-amz-crc32 is the CRC32 of the body as sent.
            if (res.has("x-amz-crc32")) {
                const std::string_view crc = res["x-amz-crc32"];
                std::uint32_t sum = 0;
                if (!http::crc32_matches(crc, res.body(), sum)) {
                    service_error_info base = error_info();
                    base.type = "CRC32Mismatch";
                    base.message =
                        "x-amz-crc32 " + std::string(crc) + " but body has " + std::to_string(sum);
                    throw crc32_mismatch(std::move(base));
                }
            }
            if (status != 200) {
                request_id = std::string(res["x-amzn-RequestId"]);
                throw_service_error(status, res["content-type"], res.body(), request_id,
                                    std::string(operation));
            }
            json::error_code ec;
            if (own_arena)
                sp = json::make_shared_resource<json::monotonic_resource>(2 * res.body().size() +
                                                                          1024);
            json::parse_options depth;
            depth.max_depth = max_response_depth;
            json::value answer = json::parse(res.body(), ec, sp, depth);
            if (ec || !answer.is_object()) {
                service_error_info base = error_info();
                base.message = ec == json::error::too_deep
                                   ? "200 response nests JSON deeper than " +
                                         std::to_string(max_response_depth) + " levels"
                               : ec ? "200 response is not JSON: " + ec.message()
                                    : "200 response is not a JSON object";
                throw unexpected_response(std::move(base), std::string(res["content-type"]),
                                          res.body().substr(0, 256));
            }

            // Success.
            st.retries.on_success(retried_cost);
            if (st.limiter)
                st.limiter->record(false);
            if (observe) {
                auto latency = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() -
                                                                                     attempt_start);
                metrics.attempts.push_back({latency,
                                            status,
                                            {},
                                            std::string(res["x-amzn-RequestId"]),
                                            info.reused_connection,
                                            {}});
                metrics.bytes_sent += info.bytes_sent;
                metrics.bytes_received += info.bytes_received;
                if (auto* cc = answer.as_object().if_contains("ConsumedCapacity"))
                    metrics.consumed_capacity = *cc;
            }
            if (logging)
                st.log(log_level::debug,
                       std::string(operation) + " attempt " + std::to_string(attempt) +
                           ": HTTP 200" + (info.reused_connection ? " (pooled connection)" : ""));
            finish(true);
            co_return answer;
        } catch (const service_error&) {
            error = std::current_exception();
        } catch (const http::transport_error&) {
            error = std::current_exception();
        } catch (const credentials_error&) {
            error = std::current_exception();
        }
        // (Cancellation and other exceptions propagate from here unchanged.)
        last_error = error;
        retry_class cls = classify_retry(error);
        if (st.limiter)
            st.limiter->record(cls == retry_class::throttling);

        std::chrono::milliseconds delay{0};
        bool again = false;
        if (cls == retry_class::expired_token && !refreshed_credentials) {
            // Expired credentials: refresh and re-sign at once, once.
            st.creds->invalidate();
            refreshed_credentials = true;
            again = true;
        } else if (cls != retry_class::none && attempt < max_attempts &&
                   st.retries.acquire_retry(cls)) {
            retried_cost += st.retries.cost_of(cls);
            delay = st.retries.backoff(attempt + 1);
            again = detail::saturating_add(steady::now(), delay) < deadline;
        }
        if (observe) {
            auto latency = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() -
                                                                                 attempt_start);
            metrics.attempts.push_back({latency, status, error_name(error), request_id,
                                        info.reused_connection,
                                        again ? delay : std::chrono::milliseconds(0)});
            metrics.bytes_sent += info.bytes_sent;
            metrics.bytes_received += info.bytes_received;
            try {
                std::rethrow_exception(error);
            } catch (const provisioned_throughput_exceeded& e) {
                for (auto& r : e.throttling_reasons())
                    metrics.throttling_reasons.push_back(r);
            } catch (...) {
            }
        }
        if (logging)
            st.log(again ? log_level::info : log_level::warning,
                   std::string(operation) + " attempt " + std::to_string(attempt) +
                       " failed: " + error_name(error) +
                       (again ? ", retrying in " + std::to_string(delay.count()) + " ms"
                              : ", giving up"));
        if (!again) {
            finish(false);
            std::rethrow_exception(error);
        }
        if (delay.count() > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor,
                                     detail::saturating_add(steady::now(), delay));
            co_await timer.async_wait(asio::use_awaitable);
        }
    }
}

} // namespace

} // namespace ddb
