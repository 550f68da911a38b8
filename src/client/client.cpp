#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/region.hpp>
#include <ddb/client/client.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/credentials/profile_file.hpp>

#include <boost/json/serialize.hpp>

#include "../core/env.hpp"
#include "detail/state.hpp"

namespace ddb {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string ms_text(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

// Refuses the client's own settings that cannot work, naming the field and
// its value. (`retry` and `pool` are checked where they are used: by the
// retry policy and the transport.)
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
    if (detail::has_cr_lf_nul(c.user_agent_suffix))
        bad("user_agent_suffix contains CR, LF or NUL");
    return c;
}

retry_policy client_retries(const client_config& cfg, lazy_profile_set& files) {
    return retry_policy(cfg.retry ? *cfg.retry : retry_config::from_environment(files),
                        "client_config::retry.");
}

// The TLS settings: pool.tls, its CA file else AWS_CA_BUNDLE else the
// profile's ca_bundle; `source` says where the CA file came from.
http::tls_options client_tls(const client_config& cfg, lazy_profile_set& files,
                             std::string& source) {
    http::tls_options tls = cfg.pool.tls;
    if (!tls.ca_file.empty()) {
        source = "client_config::pool.tls.ca_file";
    } else if (auto env = detail::getenv_nonempty("AWS_CA_BUNDLE")) {
        tls.ca_file = *env;
        source = "AWS_CA_BUNDLE";
    } else if (const profile* p = files.selected()) {
        if (auto v = p->get("ca_bundle"); v && !v->empty()) {
            tls.ca_file = detail::expand_home(std::string(*v));
            source = "ca_bundle of profile '" + p->name + "'";
        }
    }
    return tls;
}

// The credentials: the configured provider, else the default chain calling
// STS in the client's region with the client's TLS settings.
credentials_provider_ptr client_credentials(const client_config& cfg, const std::string& region,
                                            lazy_profile_set& files) {
    if (cfg.credentials)
        return cfg.credentials;
    default_chain_options opts;
    opts.region = region;
    std::string ignored;
    try {
        opts.tls = client_tls(cfg, files, ignored);
    } catch (const error&) {
        opts.tls = cfg.pool.tls; // a broken config file: the profile source reports it
    }
    return make_default_credentials_chain(std::move(opts), files);
}

// The transport: the configured one, else a pooled transport trusting
// `client_tls`; a bundle that cannot be loaded names where it came from.
std::shared_ptr<http::transport> client_transport(const asio::any_io_executor& ex,
                                                  const client_config& cfg,
                                                  lazy_profile_set& files) {
    if (cfg.transport)
        return cfg.transport;
    http::pool_options pool = cfg.pool;
    std::string source;
    pool.tls = client_tls(cfg, files, source);
    try {
        return std::make_shared<http::pooled_transport>(ex, std::move(pool),
                                                        "client_config::pool.");
    } catch (const config_error& e) {
        if (source.empty() || e.code() != config_errc::invalid_setting ||
            std::string_view(e.what()).starts_with("client_config::pool."))
            throw;
        throw config_error(config_errc::invalid_setting,
                           std::string(e.what()) + " (set by " + source + ")");
    }
}

// The FIPS / dual-stack / account-based settings (code, then environment,
// then profile).
endpoint_settings client_endpoint_settings(const client_config& cfg, lazy_profile_set& files) {
    endpoint_options code;
    code.use_fips_endpoint = cfg.use_fips_endpoint;
    code.use_dualstack_endpoint = cfg.use_dualstack_endpoint;
    code.account_id_endpoint_mode = cfg.account_id_endpoint_mode;
    return resolve_endpoint_settings(code, files, "client_config::");
}

// The DynamoDB endpoint: the configured URL, else the default one for the
// region and the settings.
dynamodb_endpoint dynamodb_endpoints(const client_config& cfg, const std::string& region,
                                     lazy_profile_set& files) {
    return resolve_dynamodb_endpoint(cfg.endpoint, region, client_endpoint_settings(cfg, files),
                                     files);
}

// The DynamoDB Streams endpoint: the same, by the Streams rules (no
// account-based endpoints).
dynamodb_endpoint streams_endpoints(const client_config& cfg, const std::string& region,
                                    lazy_profile_set& files) {
    dynamodb_endpoint d;
    d.settings = client_endpoint_settings(cfg, files);
    d.base = resolve_dynamodb_streams_endpoint(cfg.endpoint, region, d.settings, files);
    return d;
}

// Variables set to "" are ignored, as the AWS SDKs do; say so.
void warn_of_empty_variables(const detail::client_state& st) {
    if (!(st.cfg.region && !st.cfg.region->empty()))
        for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
            if (detail::getenv_set_but_empty(name))
                st.log(log_level::warning, std::string(name) +
                                               " is set but empty: ignored; region " + st.region +
                                               " is used");
    if (!(st.cfg.endpoint && !st.cfg.endpoint->empty()))
        for (const std::string& name :
             {"AWS_ENDPOINT_URL_" + std::string(st.service->id->env_suffix),
              std::string("AWS_ENDPOINT_URL")})
            if (detail::getenv_set_but_empty(name.c_str()))
                st.log(log_level::warning, name + " is set but empty: ignored; endpoint " +
                                               st.endpoints.describe() + " is used");
}

} // namespace

const detail::service_descriptor& detail::dynamodb_descriptor() noexcept {
    static constexpr service_descriptor d{&dynamodb_service, target_prefix, &dynamodb_endpoints};
    return d;
}

const detail::service_descriptor& detail::dynamodb_streams_descriptor() noexcept {
    static constexpr service_descriptor d{&dynamodb_streams_service, streams_target_prefix,
                                          &streams_endpoints};
    return d;
}

detail::client_state::client_state(asio::any_io_executor e, client_config c,
                                   lazy_profile_set& files, const service_descriptor& svc)
    : service(&svc)
    , ex(std::move(e))
    , cfg(checked(std::move(c)))
    , region(resolve_region(cfg.region, files))
    , endpoints(svc.resolve_endpoint(cfg, region, files),
                [this](const std::string& line) { log(log_level::info, line); })
    , user_agent("ddb/0.1.0 cpp20 boost-beast")
    , creds(client_credentials(cfg, region, files))
    , retries(client_retries(cfg, files))
    , transport(client_transport(ex, cfg, files)) {
    warn_of_empty_variables(*this);
    if (!cfg.user_agent_suffix.empty())
        user_agent += " " + cfg.user_agent_suffix;
    if (retries.config().mode == retry_mode::adaptive)
        limiter.emplace();
}

client::client(asio::any_io_executor ex, client_config config) {
    lazy_profile_set files;
    state_ = std::make_shared<detail::client_state>(std::move(ex), std::move(config), files);
}

client::client(std::shared_ptr<detail::client_state> st) noexcept
    : state_(std::move(st)) {}

client::~client() = default;
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

client::executor_type client::get_executor() const noexcept {
    return executor();
}
const asio::any_io_executor& client::executor() const noexcept {
    return state_->ex;
}
const std::string& client::region() const noexcept {
    return state_->region;
}
const ddb::endpoint& client::endpoint() const noexcept {
    return state_->endpoints.base().where.endpoint;
}
std::string client::describe_endpoint() const {
    return state_->endpoints.describe();
}
const credentials_provider_ptr& client::credential_source() const noexcept {
    return state_->creds;
}
http::pool_stats client::pool_stats() const {
    if (auto account = state_->endpoints.current_account())
        return state_->transport->stats(account->origin);
    return state_->transport->stats(state_->endpoints.base().origin);
}
const retry_policy& client::retries() const noexcept {
    return state_->retries;
}

asio::awaitable<json::value> client::call(std::string operation, const json::value& request) {
    return detail::send_call(state_, std::move(operation), {}, json::serialize(request), {}, true);
}

asio::awaitable<json::value> client::call_json(std::string operation, std::string request_json,
                                               json::storage_ptr sp) {
    return detail::send_call(state_, std::move(operation), {}, std::move(request_json),
                             std::move(sp), false);
}

cancellation_support client::cancellation_of(std::string_view operation) noexcept {
    static constexpr std::string_view reads[] = {
        "GetItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "TransactGetItems",
        "DescribeTable",
        "ListTables",
        "DescribeTimeToLive",
        "DescribeLimits",
        "DescribeEndpoints",
        "ListTagsOfResource",
        "DescribeContinuousBackups",
        "ListBackups",
        "DescribeBackup",
        "ListGlobalTables",
        "DescribeGlobalTable",
    };
    for (auto r : reads)
        if (r == operation)
            return cancellation_support::all;
    return cancellation_support::terminal_partial;
}

} // namespace ddb
