#include <ddb/aws/endpoint.hpp>
#include <ddb/aws/instance_metadata_provider.hpp>
#include <ddb/credentials/error.hpp>

#include <ddb/core/config_error.hpp>
#include <ddb/core/saturating_time.hpp>

#include "../core/env.hpp"
#include "detail/metadata_http.hpp"

#include <boost/asio/this_coro.hpp>

#include <mutex>

namespace ddb {

namespace bhttp = boost::beast::http;
using steady = std::chrono::steady_clock;

struct instance_metadata_provider::impl {
    explicit impl(options o)
        : opts(o) {
        auto bad = [](const std::string& what) {
            throw config_error(config_errc::invalid_setting,
                               "instance_metadata_provider::options::" + what);
        };
        if (opts.timeout <= std::chrono::milliseconds::zero())
            bad("timeout must be > 0, got " + std::to_string(opts.timeout.count()) +
                " ms (milliseconds::max() for no limit)");
        if (opts.attempts < 1)
            bad("attempts must be >= 1, got " + std::to_string(opts.attempts));
        // IMDSv2 accepts 1 s to 6 h.
        if (opts.token_ttl < std::chrono::seconds(1) || opts.token_ttl > std::chrono::hours(6))
            bad("token_ttl must be 1 to 21600 s, got " + std::to_string(opts.token_ttl.count()) +
                " s");
    }
    options opts;
    std::mutex mutex;
    std::string token; // IMDSv2 session token (not a credential; still never logged)
    steady::time_point token_expiry{};
};

namespace {

bool is_true(const std::string& v) {
    std::string l;
    for (char c : v)
        l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return l == "true";
}

} // namespace

instance_metadata_provider::instance_metadata_provider()
    : instance_metadata_provider(options{}) {}
instance_metadata_provider::instance_metadata_provider(options opts)
    : impl_(std::make_shared<impl>(opts)) {}
instance_metadata_provider::~instance_metadata_provider() = default;

void instance_metadata_provider::invalidate() {
    std::lock_guard lock(impl_->mutex);
    impl_->token.clear();
}

boost::asio::awaitable<credentials> instance_metadata_provider::fetch() {
    if (is_true(detail::getenv_opt("AWS_EC2_METADATA_DISABLED").value_or("")))
        throw credentials_error(credentials_errc::not_found, "AWS_EC2_METADATA_DISABLED is true");
    std::string url = detail::getenv_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                          .value_or("http://169.254.169.254");
    ddb::endpoint ep;
    try {
        ep = parse_endpoint(url, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    } catch (const config_error& e) {
        throw credentials_error(credentials_errc::malformed, e.what());
    }
    auto self = impl_;
    detail::metadata_client http(co_await boost::asio::this_coro::executor, self->opts.timeout);
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    std::string last_problem;
    bool reached = false;

    for (int attempt = 1; attempt <= self->opts.attempts; ++attempt) {
        try {
            // 1. A session token, reused until shortly before its TTL ends.
            std::string token;
            {
                std::lock_guard lock(self->mutex);
                if (!self->token.empty() && steady::now() < self->token_expiry)
                    token = self->token;
            }
            if (token.empty()) {
                std::vector<std::pair<std::string, std::string>> ttl{
                    {"x-aws-ec2-metadata-token-ttl-seconds",
                     std::to_string(self->opts.token_ttl.count())}};
                auto res = co_await http.request(ep, bhttp::verb::put, "/latest/api/token", ttl);
                reached = true;
                if (res.result_int() != 200) {
                    last_problem =
                        "token request answered HTTP " + std::to_string(res.result_int());
                    if (res.result_int() == 403)
                        last_problem += " (the instance metadata service is turned off for this "
                                        "instance, or IMDSv2 tokens are refused)";
                    if (res.result_int() < 500)
                        break;
                    continue;
                }
                token = res.body();
                std::lock_guard lock(self->mutex);
                self->token = token;
                // Renewed a minute early (at once when the TTL is that short).
                self->token_expiry = detail::saturating_add(
                    steady::now(), self->opts.token_ttl - std::chrono::seconds(60));
            }
            std::vector<std::pair<std::string, std::string>> auth{
                {"x-aws-ec2-metadata-token", token}};

            // 2. The role name.
            auto roles = co_await http.request(ep, bhttp::verb::get, base, auth);
            reached = true;
            if (roles.result_int() == 401) { // token expired or revoked: get a new one
                invalidate();
                last_problem = "session token refused";
                continue;
            }
            if (roles.result_int() == 404)
                throw credentials_error(credentials_errc::not_found,
                                        "instance has no IAM role (" + ep.url + ")");
            if (roles.result_int() != 200) {
                last_problem = "role lookup answered HTTP " + std::to_string(roles.result_int());
                continue;
            }
            std::string role = roles.body().substr(0, roles.body().find('\n'));
            if (role.empty() || role.find_first_of("/?#\r ") != std::string::npos)
                throw credentials_error(credentials_errc::malformed,
                                        "instance metadata returned an unusable role name");

            // 3. The role's credentials.
            auto creds = co_await http.request(ep, bhttp::verb::get, base + role, auth);
            if (creds.result_int() == 401) {
                invalidate();
                last_problem = "session token refused";
                continue;
            }
            if (creds.result_int() != 200) {
                last_problem =
                    "credentials request answered HTTP " + std::to_string(creds.result_int());
                continue;
            }
            co_return detail::parse_credentials_json(creds.body(),
                                                     "instance metadata role " + role);
        } catch (const http::transport_error& e) {
            last_problem = e.what();
        }
    }
    auto code = reached ? credentials_errc::provider_failed : credentials_errc::not_found;
    throw credentials_error(code, "instance metadata at " + ep.url + ": " + last_problem);
}

} // namespace ddb
