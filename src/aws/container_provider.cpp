#include <ddb/aws/container_provider.hpp>
#include <ddb/aws/endpoint.hpp>
#include <ddb/credentials/error.hpp>

#include "../core/env.hpp"
#include "detail/metadata_http.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ddb {

namespace bhttp = boost::beast::http;

struct detail::container_provider_impl {
    explicit container_provider_impl(container_provider::options o)
        : opts(o) {
        if (opts.timeout <= std::chrono::milliseconds::zero())
            throw config_error(config_errc::invalid_setting,
                               "container_provider::options::timeout must be > 0, got " +
                                   std::to_string(opts.timeout.count()) +
                                   " ms (milliseconds::max() for no limit)");
        if (opts.attempts < 1)
            throw config_error(config_errc::invalid_setting,
                               "container_provider::options::attempts must be >= 1, got " +
                                   std::to_string(opts.attempts));
    }
    container_provider::options opts;
};

namespace {

// The hosts a plain-http full URI may name (AWS SDK rule): loopback and the
// ECS / EKS Pod Identity link-local addresses.
bool http_allowed(const std::string& host) {
    return host == "localhost" || host.starts_with("127.") || host == "::1" ||
           host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

} // namespace

container_provider::container_provider()
    : container_provider(options{}) {}
container_provider::container_provider(options opts)
    : impl_(std::make_shared<detail::container_provider_impl>(opts)) {}
container_provider::~container_provider() = default;

boost::asio::awaitable<credentials> container_provider::fetch() {
    auto relative = detail::getenv_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    auto full = detail::getenv_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!relative && !full)
        throw credentials_error(credentials_errc::not_found,
                                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set");
    ddb::endpoint ep;
    std::string target;
    try {
        if (relative) {
            ep = parse_endpoint("http://169.254.170.2");
            target = *relative;
        } else {
            ep = parse_endpoint(*full, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
            target = ep.path;
        }
    } catch (const config_error& e) {
        throw credentials_error(credentials_errc::malformed, e.what());
    }
    if (target.empty() || target[0] != '/')
        target = "/" + target;
    if (!ep.tls() && !http_allowed(ep.host))
        throw credentials_error(
            credentials_errc::malformed,
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or name a loopback host, not " +
                ep.host);

    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<std::string> token;
    if (auto file = detail::getenv_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
        std::ifstream in(*file);
        if (!in)
            throw credentials_error(credentials_errc::malformed,
                                    "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file);
        std::ostringstream ss;
        ss << in.rdbuf();
        token = trim(ss.str());
    } else if (auto t = detail::getenv_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
        token = *t;
    }
    if (token) {
        if (token->find_first_of("\r\n") != std::string::npos)
            throw credentials_error(credentials_errc::malformed,
                                    "container authorization token contains CR or LF");
        headers.emplace_back("Authorization", *token);
    }

    std::string source = "container " + ep.url;
    std::string last_problem;
    auto self = impl_;
    detail::metadata_client http(co_await boost::asio::this_coro::executor, self->opts.timeout);
    for (int attempt = 1; attempt <= self->opts.attempts; ++attempt) {
        if (attempt > 1)
            co_await detail::pause_before_attempt(attempt, std::chrono::milliseconds(50), 10);
        std::optional<http::response> res;
        try {
            res = co_await http.request(ep, bhttp::verb::get, target, headers);
        } catch (const http::transport_error& e) {
            last_problem = e.what();
            continue;
        }
        if (res->result_int() == 200)
            co_return detail::parse_credentials_json(res->body(), "container");
        last_problem = "HTTP " + std::to_string(res->result_int());
        if (res->result_int() < 500)
            break; // a refusal will not change
    }
    throw credentials_error(credentials_errc::provider_failed,
                            source + ": no credentials after " +
                                std::to_string(self->opts.attempts) + " attempts (" + last_problem +
                                ")");
}

} // namespace ddb
