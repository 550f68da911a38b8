#include <ddb/aws/container_provider.hpp>
#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/endpoint.hpp>
#include <ddb/aws/instance_metadata_provider.hpp>
#include <ddb/aws/profile_credentials_provider.hpp>
#include <ddb/aws/region.hpp>
#include <ddb/aws/web_identity_provider.hpp>
#include <ddb/credentials/caching_provider.hpp>
#include <ddb/credentials/chain_provider.hpp>
#include <ddb/credentials/environment_provider.hpp>

namespace ddb {

namespace {

// The region STS is called in: the given one, else the configured one, else
// us-east-1. A broken config file is reported by the profile source, not here.
std::string sts_region(const std::string& given, lazy_profile_set& files) {
    if (!given.empty())
        return given;
    try {
        return resolve_region(std::nullopt, files);
    } catch (const error&) {
        return "us-east-1";
    }
}

// STS as `resolve_sts_endpoint` says (AWS_ENDPOINT_URL_STS, ..., FIPS,
// regional). A config file that cannot be read leaves the regional default:
// the profile source reports the file when credentials are needed.
sts_settings sts_for(const default_chain_options& opts, lazy_profile_set& files) {
    sts_settings sts;
    auto region = sts_region(opts.region, files);
    try {
        auto resolved = resolve_sts_endpoint(std::nullopt, region, files);
        sts.endpoint = std::move(resolved.endpoint);
        sts.region = std::move(resolved.signing_region);
    } catch (const credentials_error&) {
        sts.endpoint = parse_endpoint("https://sts." + region + ".amazonaws.com");
        sts.region = region;
    }
    sts.tls = opts.tls;
    return sts;
}

} // namespace

std::vector<credentials_provider_ptr> default_credential_sources(default_chain_options opts,
                                                                 lazy_profile_set& files) {
    profile_credentials_options profile_opts;
    profile_opts.sts = sts_for(opts, files);
    profile_opts.tls = opts.tls;
    // The profile source reads the files the environment names itself, so
    // that its messages name them, and keeps a file error for fetch(): the
    // sources before it still work.
    auto profile_source = std::make_shared<profile_credentials_provider>(profile_opts);
    return {std::make_shared<environment_provider>(),
            std::make_shared<web_identity_provider>(profile_opts.sts), std::move(profile_source),
            std::make_shared<container_provider>(), std::make_shared<instance_metadata_provider>()};
}

std::vector<credentials_provider_ptr> default_credential_sources() {
    lazy_profile_set files;
    return default_credential_sources({}, files);
}

credentials_provider_ptr make_default_credentials_chain(default_chain_options opts,
                                                        lazy_profile_set& files) {
    return std::make_shared<caching_provider>(
        std::make_shared<chain_provider>(default_credential_sources(std::move(opts), files)));
}

credentials_provider_ptr make_default_credentials_chain() {
    lazy_profile_set files;
    return make_default_credentials_chain({}, files);
}

} // namespace ddb
