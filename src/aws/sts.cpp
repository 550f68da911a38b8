#include <ddb/aws/sts.hpp>

#include <ddb/core/config_error.hpp>
#include <ddb/sigv4/signer.hpp>

#include "detail/metadata_http.hpp"
#include "detail/sts_xml.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace ddb {

namespace bhttp = boost::beast::http;
using field_list = std::vector<std::pair<std::string, std::string>>;

namespace {

constexpr const char* form_content_type = "application/x-www-form-urlencoded; charset=utf-8";

std::string session_name(const assume_role_params& role) {
    if (!role.role_session_name.empty())
        return role.role_session_name;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return "ddb-session-" + std::to_string(ms.count());
}

// Action, Version, RoleArn, RoleSessionName, then DurationSeconds if any.
field_list common_fields(const char* action, const assume_role_params& role) {
    field_list f{{"Action", action},
                 {"Version", "2011-06-15"},
                 {"RoleArn", role.role_arn},
                 {"RoleSessionName", session_name(role)}};
    if (role.duration)
        f.emplace_back("DurationSeconds", std::to_string(role.duration->count()));
    return f;
}

// The request target: the endpoint's path.
std::string_view target_of(const ddb::endpoint& ep) {
    return ep.path.empty() ? std::string_view("/") : std::string_view(ep.path);
}

// One STS request, as every attempt sends it.
struct sts_call {
    std::string action; // "AssumeRole", "AssumeRoleWithWebIdentity"
    std::string body;
    std::optional<credentials> caller; // none: unsigned
    std::string role_arn;
    std::string source;               // of the result: "assume-role <arn>"
    std::vector<std::string> secrets; // never in a message
};

// The headers of one attempt: Content-Type and, for a signed call, the
// SigV4 ones (signed now, so each retry has a fresh X-Amz-Date).
field_list attempt_headers(const sts_settings& sts, const sts_call& call) {
    field_list h{{"Content-Type", form_content_type}};
    if (!call.caller)
        return h;
    std::string host = sts.endpoint.host_header();
    const sigv4::header to_sign[] = {{"host", host}, {"content-type", form_content_type}};
    sigv4::request view;
    view.path = target_of(sts.endpoint);
    view.headers = to_sign;
    view.payload = call.body;
    auto sig =
        sigv4::sign(view, {*call.caller, sts.region, "sts", std::chrono::system_clock::now()});
    h.emplace_back("X-Amz-Date", sig.amz_date);
    if (!sig.security_token.empty())
        h.emplace_back("X-Amz-Security-Token", std::string(sig.security_token));
    h.emplace_back("Authorization", sig.authorization);
    return h;
}

// STS's message, shortened, with any secret of the call blanked out.
std::string scrub(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& s : secrets) {
        if (s.empty())
            continue;
        for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at))
            text.replace(at, s.size(), "<redacted>");
    }
    if (text.size() > 400)
        text = text.substr(0, 400) + "...";
    for (char& c : text)
        if (c == '\r' || c == '\n')
            c = ' ';
    return text;
}

std::string request_id_of(const http::response& res,
                          const std::optional<detail::sts_error_answer>& answer) {
    auto header = res["x-amzn-RequestId"];
    if (!header.empty())
        return std::string(header);
    return answer ? answer->request_id : std::string();
}

// What one attempt's failure is worth saying: "AccessDenied: ... (HTTP 403,
// request id X)".
std::string describe(const http::response& res, const std::optional<detail::sts_error_answer>& a,
                     const std::string& request_id, const sts_call& call) {
    std::string text;
    if (a && !a->code.empty())
        text = a->code + (a->message.empty() ? "" : ": " + scrub(a->message, call.secrets)) + " (";
    else
        text = "(";
    text += "HTTP " + std::to_string(res.result_int());
    if (!request_id.empty())
        text += ", request id " + request_id;
    return text + ")";
}

boost::asio::awaitable<void> pause_before(int attempt) {
    return detail::pause_before_attempt(attempt, std::chrono::milliseconds(100), 4);
}

// Sends the call up to `attempts` times; returns the credentials or throws
// sts_error.
boost::asio::awaitable<credentials> exchange(sts_settings sts, sts_call call) {
    std::string what = "STS " + call.action + " for role " + call.role_arn;
    std::string target(target_of(sts.endpoint));
    // TLS settings matter for https only; an http endpoint (a local STS)
    // skips loading the system CA store, which takes the thread a while.
    http::tls_options tls = sts.tls;
    if (!sts.endpoint.tls()) {
        tls.use_system_ca_store = false;
        tls.ca_file.clear();
        tls.ca_dir.clear();
    }
    detail::metadata_client http(co_await boost::asio::this_coro::executor, sts.timeout, tls);
    std::string last_problem, last_code, last_request_id;
    for (int attempt = 1; attempt <= sts.attempts; ++attempt) {
        if (attempt > 1)
            co_await pause_before(attempt);
        auto headers = attempt_headers(sts, call);
        std::optional<http::response> res;
        try {
            res =
                co_await http.request(sts.endpoint, bhttp::verb::post, target, headers, call.body);
        } catch (const http::transport_error& e) {
            last_problem = scrub(e.what(), call.secrets);
            continue;
        }
        if (res->result_int() == 200)
            co_return detail::parse_sts_credentials(res->body(), call.action, call.source);
        auto answer = detail::parse_sts_error(res->body());
        std::string code = answer ? answer->code : std::string();
        std::string request_id = request_id_of(*res, answer);
        auto kind = detail::classify_sts_error(res->result_int(), code);
        if (!kind.retryable)
            throw sts_error(kind.errc,
                            what + " refused: " + describe(*res, answer, request_id, call), code,
                            call.role_arn, request_id);
        last_problem = describe(*res, answer, request_id, call);
        last_code = code;
        last_request_id = request_id;
    }
    throw sts_error(credentials_errc::provider_failed,
                    what + " failed after " + std::to_string(sts.attempts) +
                        (sts.attempts == 1 ? " attempt" : " attempts") + ", last: " + last_problem,
                    last_code, call.role_arn, last_request_id);
}

} // namespace

void validate(const sts_settings& sts) {
    auto bad = [](const std::string& what) {
        throw config_error(config_errc::invalid_setting, "sts_settings::" + what);
    };
    if (sts.endpoint.host.empty())
        bad("endpoint is not set (see resolve_sts_endpoint)");
    if (sts.region.empty())
        bad("region is empty");
    if (sts.timeout <= std::chrono::milliseconds::zero())
        bad("timeout must be > 0, got " + std::to_string(sts.timeout.count()) +
            " ms (milliseconds::max() for no limit)");
    if (sts.attempts < 1)
        bad("attempts must be >= 1, got " + std::to_string(sts.attempts));
}

void validate(const assume_role_params& role) {
    if (role.role_arn.empty())
        throw config_error(config_errc::invalid_setting, "assume_role_params::role_arn is empty");
    if (role.duration &&
        (*role.duration < std::chrono::seconds(900) || *role.duration > std::chrono::hours(12)))
        throw config_error(config_errc::invalid_setting,
                           "assume_role_params::duration of role " + role.role_arn +
                               " must be 900 to 43200 s, got " +
                               std::to_string(role.duration->count()) + " s");
}

boost::asio::awaitable<credentials> sts_assume_role(const sts_settings& sts,
                                                    const credentials& caller,
                                                    const assume_role_params& role) {
    validate(sts);
    validate(role);
    if (caller.access_key_id.empty() || caller.secret_access_key.empty())
        throw credentials_error(credentials_errc::malformed,
                                "the credentials for STS AssumeRole of role " + role.role_arn +
                                    " (from " + caller.source +
                                    ") lack an access key id or a secret");
    auto fields = common_fields("AssumeRole", role);
    if (!role.external_id.empty())
        fields.emplace_back("ExternalId", role.external_id);
    sts_call call{"AssumeRole",
                  detail::form_encode(fields),
                  caller,
                  role.role_arn,
                  "assume-role " + role.role_arn,
                  {caller.secret_access_key, caller.session_token}};
    co_return co_await exchange(sts, std::move(call));
}

boost::asio::awaitable<credentials>
sts_assume_role_with_web_identity(const sts_settings& sts, const std::string& web_identity_token,
                                  const assume_role_params& role) {
    validate(sts);
    validate(role);
    if (web_identity_token.empty())
        throw credentials_error(credentials_errc::malformed,
                                "the web identity token for role " + role.role_arn + " is empty");
    auto fields = common_fields("AssumeRoleWithWebIdentity", role);
    fields.emplace_back("WebIdentityToken", web_identity_token);
    sts_call call{
        "AssumeRoleWithWebIdentity",     detail::form_encode(fields), std::nullopt, role.role_arn,
        "web-identity " + role.role_arn, {web_identity_token}};
    co_return co_await exchange(sts, std::move(call));
}

} // namespace ddb
