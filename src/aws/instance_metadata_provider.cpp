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

struct detail::instance_metadata_provider_impl {
    explicit instance_metadata_provider_impl(instance_metadata_provider::options o)
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
    instance_metadata_provider::options opts;
    std::mutex mutex;
    std::string token; // IMDSv2 session token (not a credential; still never logged)
    steady::time_point token_expiry{};

    void forget_token() {
        std::lock_guard lock(mutex);
        token.clear();
    }
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
    : impl_(std::make_shared<detail::instance_metadata_provider_impl>(opts)) {}
instance_metadata_provider::~instance_metadata_provider() = default;

void instance_metadata_provider::invalidate() {
    impl_->forget_token();
}

namespace {

const std::string credentials_path = "/latest/meta-data/iam/security-credentials/";
using header_list = std::vector<std::pair<std::string, std::string>>;

// Where IMDS is: AWS_EC2_METADATA_SERVICE_ENDPOINT or the link-local address.
ddb::endpoint metadata_endpoint() {
    std::string url = detail::getenv_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                          .value_or("http://169.254.169.254");
    try {
        return parse_endpoint(url, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    } catch (const config_error& e) {
        throw credentials_error(credentials_errc::malformed, e.what());
    }
}

// What a fetch has found out so far, across its attempts.
struct fetch_state {
    ddb::endpoint ep;
    std::string last_problem;
    bool reached = false; // the endpoint answered at least once
    bool give_up = false; // another attempt cannot help
};

// Step 1: a session token, reused until shortly before its TTL ends; empty
// (with the problem noted) when the token request was refused.
boost::asio::awaitable<std::string> session_token(detail::instance_metadata_provider_impl& self,
                                                  detail::metadata_client& http, fetch_state& st) {
    {
        std::lock_guard lock(self.mutex);
        if (!self.token.empty() && steady::now() < self.token_expiry)
            co_return self.token;
    }
    header_list ttl{
        {"x-aws-ec2-metadata-token-ttl-seconds", std::to_string(self.opts.token_ttl.count())}};
    auto res = co_await http.request(st.ep, bhttp::verb::put, "/latest/api/token", ttl);
    st.reached = true;
    if (res.result_int() != 200) {
        st.last_problem = "token request answered HTTP " + std::to_string(res.result_int());
        if (res.result_int() == 403)
            st.last_problem += " (the instance metadata service is turned off for this "
                               "instance, or IMDSv2 tokens are refused)";
        st.give_up = res.result_int() < 500;
        co_return std::string();
    }
    std::lock_guard lock(self.mutex);
    self.token = res.body();
    // Renewed a minute early (at once when the TTL is that short).
    self.token_expiry =
        detail::saturating_add(steady::now(), self.opts.token_ttl - std::chrono::seconds(60));
    co_return self.token;
}

// Steps 2 and 3: the role name, then the role's credentials; nullopt (with
// the problem noted) when another attempt may do better.
boost::asio::awaitable<std::optional<credentials>>
role_credentials(detail::instance_metadata_provider_impl& self, detail::metadata_client& http,
                 fetch_state& st, const std::string& token) {
    header_list auth{{"x-aws-ec2-metadata-token", token}};
    auto roles = co_await http.request(st.ep, bhttp::verb::get, credentials_path, auth);
    st.reached = true;
    if (roles.result_int() == 401) { // token expired or revoked: get a new one
        self.forget_token();
        st.last_problem = "session token refused";
        co_return std::nullopt;
    }
    if (roles.result_int() == 404)
        throw credentials_error(credentials_errc::not_found,
                                "instance has no IAM role (" + st.ep.url + ")");
    if (roles.result_int() != 200) {
        st.last_problem = "role lookup answered HTTP " + std::to_string(roles.result_int());
        co_return std::nullopt;
    }
    std::string role = roles.body().substr(0, roles.body().find('\n'));
    if (role.empty() || role.find_first_of("/?#\r ") != std::string::npos)
        throw credentials_error(credentials_errc::malformed,
                                "instance metadata returned an unusable role name");
    auto creds = co_await http.request(st.ep, bhttp::verb::get, credentials_path + role, auth);
    if (creds.result_int() == 401) {
        self.forget_token();
        st.last_problem = "session token refused";
        co_return std::nullopt;
    }
    if (creds.result_int() != 200) {
        st.last_problem = "credentials request answered HTTP " + std::to_string(creds.result_int());
        co_return std::nullopt;
    }
    co_return detail::parse_credentials_json(creds.body(), "instance metadata role " + role);
}

} // namespace

boost::asio::awaitable<credentials> instance_metadata_provider::fetch() {
    if (is_true(detail::getenv_opt("AWS_EC2_METADATA_DISABLED").value_or("")))
        throw credentials_error(credentials_errc::not_found, "AWS_EC2_METADATA_DISABLED is true");
    fetch_state st;
    st.ep = metadata_endpoint();
    auto self = impl_; // alive until the fetch ends
    detail::metadata_client http(co_await boost::asio::this_coro::executor, self->opts.timeout);
    for (int attempt = 1; attempt <= self->opts.attempts && !st.give_up; ++attempt) {
        try {
            std::string token = co_await session_token(*self, http, st);
            if (token.empty())
                continue;
            if (auto creds = co_await role_credentials(*self, http, st, token))
                co_return std::move(*creds);
        } catch (const http::transport_error& e) {
            st.last_problem = e.what();
        }
    }
    auto code = st.reached ? credentials_errc::provider_failed : credentials_errc::not_found;
    throw credentials_error(code, "instance metadata at " + st.ep.url + ": " + st.last_problem);
}

} // namespace ddb
