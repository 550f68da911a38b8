// The endpoints of DynamoDB, DynamoDB Streams and STS when no URL is
// configured: host names per partition, FIPS, dual-stack and account-based,
// and the combinations that do not exist. The facts come from the SDKs'
// endpoint rule sets (botocore 1.43: dynamodb/2012-08-10,
// dynamodbstreams/2012-08-10 and sts/2011-06-15 endpoint-rule-set-1.json);
// the code is ours.
#include <ddb/aws/endpoint.hpp>
#include <ddb/aws/region.hpp>

#include "detail/partition.hpp"

namespace ddb {
namespace {

// "use_fips_endpoint (from AWS_USE_FIPS_ENDPOINT)".
std::string setting(std::string_view name, const std::string& source) {
    std::string s(name);
    if (!source.empty())
        s.append(" (from ").append(source).append(")");
    return s;
}

[[noreturn]] void refuse(const std::string& why) {
    throw config_error(config_errc::invalid_setting, why);
}

// FIPS and dual-stack name host names of AWS: refused with a configured URL
// (as the rule sets do: "FIPS and custom endpoint are not supported").
void refuse_with_configured(const endpoint_settings& s, const endpoint& configured) {
    auto refuse_one = [&](std::string_view what, std::string_view name, const std::string& source) {
        refuse(std::string(what) + " endpoints (" + setting(name, source) +
               ") cannot be combined with a configured endpoint URL (" + configured.url + " from " +
               configured.source +
               "): the URL names the host. Turn one of them off (the AWS SDKs refuse this too)");
    };
    if (s.use_fips)
        refuse_one("FIPS", "use_fips_endpoint", s.fips_source);
    if (s.use_dualstack)
        refuse_one("Dual-stack", "use_dualstack_endpoint", s.dualstack_source);
}

// FIPS or dual-stack that `p` lacks.
void refuse_unsupported(const endpoint_settings& s, const detail::partition& p,
                        std::string_view region) {
    auto refuse_one = [&](std::string_view what, std::string_view name, const std::string& source) {
        refuse("region " + std::string(region) + " (partition " + std::string(p.name) +
               ") has no " + std::string(what) + " endpoints: turn off " + setting(name, source));
    };
    if (s.use_fips && !p.supports_fips)
        refuse_one("FIPS", "use_fips_endpoint", s.fips_source);
    if (s.use_dualstack && !p.supports_dualstack)
        refuse_one("dual-stack", "use_dualstack_endpoint", s.dualstack_source);
}

service_endpoint make(const std::string& url, std::string_view region, endpoint_form form,
                      std::string_view why) {
    service_endpoint e;
    e.endpoint = parse_endpoint(url, why);
    e.signing_region = std::string(region);
    e.form = form;
    return e;
}

// `<service>[-fips].<region>.<suffix>` as the rule sets build it; aws-us-gov's
// FIPS endpoint without dual-stack is the regular host name.
service_endpoint partition_endpoint(std::string_view service, std::string_view region,
                                    const endpoint_settings& s, const detail::partition& p) {
    const bool gov_fips = s.use_fips && !s.use_dualstack && p.name == "aws-us-gov";
    std::string url = "https://";
    url.append(service).append(s.use_fips && !gov_fips ? "-fips." : ".").append(region);
    url.append(".").append(s.use_dualstack ? p.dualstack_dns_suffix : p.dns_suffix);
    const endpoint_form form = s.use_fips && s.use_dualstack ? endpoint_form::fips_dualstack
                               : s.use_fips                  ? endpoint_form::fips
                               : s.use_dualstack             ? endpoint_form::dualstack
                                                             : endpoint_form::regional;
    return make(url, region, form, "the default for region " + std::string(region));
}

// The `local` region: DynamoDB local on this machine, signed for us-east-1.
service_endpoint local_endpoint(const endpoint_settings& s) {
    auto refuse_one = [&](std::string_view what, std::string_view name, const std::string& source) {
        refuse("region 'local' (DynamoDB local, http://localhost:8000) has no " +
               std::string(what) + " endpoint: turn off " + setting(name, source));
    };
    if (s.use_fips)
        refuse_one("FIPS", "use_fips_endpoint", s.fips_source);
    if (s.use_dualstack)
        refuse_one("dual-stack", "use_dualstack_endpoint", s.dualstack_source);
    return make("http://localhost:8000", "us-east-1", endpoint_form::local, "region 'local'");
}

// Mode `required` where account endpoints cannot be: with FIPS, outside aws.
void refuse_required(const endpoint_settings& s, const detail::partition& p,
                     std::string_view region) {
    if (s.account_mode != account_id_endpoint_mode::required)
        return;
    const std::string mode = setting("account_id_endpoint_mode = required", s.account_mode_source);
    if (s.use_fips)
        refuse(mode + " cannot be met with FIPS on (" +
               setting("use_fips_endpoint", s.fips_source) +
               "): there are no FIPS account-based endpoints");
    if (p.name != "aws")
        refuse(mode + " cannot be met in region " + std::string(region) + ": partition " +
               std::string(p.name) + " has no account-based endpoints");
}

bool twelve_digits(std::string_view id) noexcept {
    if (id.size() != 12)
        return false;
    for (char c : id)
        if (c < '0' || c > '9')
            return false;
    return true;
}

// An account id as an error may show it (it is no secret, but may be junk).
std::string shown(std::string_view id) {
    std::string s(id.substr(0, 32));
    for (auto& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            c = '?';
    return id.size() > 32 ? s + "..." : s;
}

} // namespace

std::string_view to_string(endpoint_form form) noexcept {
    switch (form) {
    case endpoint_form::configured:
        return "configured";
    case endpoint_form::regional:
        return "regional";
    case endpoint_form::fips:
        return "FIPS";
    case endpoint_form::dualstack:
        return "dual-stack";
    case endpoint_form::fips_dualstack:
        return "FIPS dual-stack";
    case endpoint_form::account_based:
        return "account-based";
    case endpoint_form::global:
        return "global";
    case endpoint_form::local:
        return "local";
    }
    return "unknown";
}

dynamodb_endpoint resolve_dynamodb_endpoint(std::optional<std::string_view> explicit_url,
                                            std::string_view region,
                                            const endpoint_settings& settings,
                                            lazy_profile_set& files) {
    dynamodb_endpoint d;
    d.settings = settings;
    if (auto configured = configured_endpoint(dynamodb_service, explicit_url, files)) {
        refuse_with_configured(settings, *configured);
        d.base.endpoint = std::move(*configured);
        d.base.signing_region = std::string(region);
        return d;
    }
    validate_region(region);
    if (region == "local") {
        d.base = local_endpoint(settings);
        return d;
    }
    const detail::partition& p = detail::partition_of(region);
    refuse_unsupported(settings, p, region);
    refuse_required(settings, p, region);
    d.base = partition_endpoint("dynamodb", region, settings, p);
    d.account_based = settings.account_mode != account_id_endpoint_mode::disabled &&
                      p.name == "aws" && !settings.use_fips;
    return d;
}

service_endpoint dynamodb_endpoint::for_credentials(std::string_view account_id,
                                                    std::string_view credentials_source) const {
    if (!account_based)
        return base;
    if (account_id.empty()) {
        if (settings.account_mode == account_id_endpoint_mode::required)
            refuse(setting("account_id_endpoint_mode = required", settings.account_mode_source) +
                   ", but the credentials from " + std::string(credentials_source) +
                   " carry no account id: set AWS_ACCOUNT_ID (or aws_account_id in the profile),"
                   " use credentials that carry one (STS, SSO, container, credential_process),"
                   " or set the mode to preferred");
        return base;
    }
    if (!twelve_digits(account_id))
        refuse("the account id '" + shown(account_id) + "' of the credentials from " +
               std::string(credentials_source) +
               " is not 12 digits, so it cannot name an account-based endpoint (set "
               "account_id_endpoint_mode = disabled to use the regional endpoint)");
    // base is https://dynamodb.<region>.<suffix>: the account's host is
    // <account-id>.ddb.<region>.<suffix>.
    std::string url = "https://";
    url.append(account_id)
        .append(".ddb.")
        .append(std::string_view(base.endpoint.host).substr(std::string_view("dynamodb.").size()));
    return make(url, base.signing_region, endpoint_form::account_based,
                "the account-based endpoint of the credentials from " +
                    std::string(credentials_source));
}

service_endpoint resolve_dynamodb_streams_endpoint(std::optional<std::string_view> explicit_url,
                                                   std::string_view region,
                                                   const endpoint_settings& settings,
                                                   lazy_profile_set& files) {
    if (auto configured = configured_endpoint(dynamodb_streams_service, explicit_url, files)) {
        refuse_with_configured(settings, *configured);
        return {std::move(*configured), std::string(region), endpoint_form::configured};
    }
    validate_region(region);
    if (region == "local")
        return local_endpoint(settings);
    const detail::partition& p = detail::partition_of(region);
    refuse_unsupported(settings, p, region);
    // The rule set names dual-stack hosts of the three public partitions
    // "streams-dynamodb[-fips]"; everything else is "streams.dynamodb[-fips]".
    const bool dashed =
        settings.use_dualstack && (p.name == "aws" || p.name == "aws-cn" || p.name == "aws-us-gov");
    return partition_endpoint(dashed ? "streams-dynamodb" : "streams.dynamodb", region, settings,
                              p);
}

service_endpoint resolve_sts_endpoint(std::optional<std::string_view> explicit_url,
                                      std::string_view region, const endpoint_settings& settings,
                                      lazy_profile_set& files) {
    const std::string signing_region = region.empty() ? "us-east-1" : std::string(region);
    if (auto configured =
            configured_endpoint(sts_service, explicit_url, files, "the explicit STS endpoint")) {
        refuse_with_configured(settings, *configured);
        return {std::move(*configured), signing_region, endpoint_form::configured};
    }
    const bool plain = !settings.use_fips && !settings.use_dualstack;
    if (region.empty() && !plain)
        refuse("STS has no global FIPS or dual-stack endpoint: set a region (" +
               setting("use_fips_endpoint", settings.fips_source) + ", " +
               setting("use_dualstack_endpoint", settings.dualstack_source) + ")");
    if (region.empty() || (region == "aws-global" && plain))
        return make("https://sts.amazonaws.com", "us-east-1", endpoint_form::global,
                    region.empty() ? "the global STS endpoint (no region)"
                                   : "the global STS endpoint (region aws-global)");
    validate_region(region);
    const detail::partition& p = detail::partition_of(region);
    refuse_unsupported(settings, p, region);
    return partition_endpoint("sts", region, settings, p);
}

service_endpoint resolve_sts_endpoint(std::optional<std::string_view> explicit_url,
                                      std::string_view region, lazy_profile_set& files) {
    return resolve_sts_endpoint(explicit_url, region, resolve_endpoint_settings({}, files), files);
}

} // namespace ddb
