#include <ddb/aws/assume_role_provider.hpp>
#include <ddb/aws/container_provider.hpp>
#include <ddb/aws/instance_metadata_provider.hpp>
#include <ddb/aws/process_provider.hpp>
#include <ddb/aws/profile_credentials_provider.hpp>
#include <ddb/aws/sso_provider.hpp>
#include <ddb/aws/web_identity_provider.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/credentials/caching_provider.hpp>
#include <ddb/credentials/environment_provider.hpp>
#include <ddb/credentials/profile_provider.hpp>
#include <ddb/credentials/static_provider.hpp>

#include <algorithm>
#include <charconv>

namespace ddb {

namespace {

[[noreturn]] void bad(const profile& p, const std::string& what) {
    throw credentials_error(credentials_errc::malformed, "profile '" + p.name + "': " + what);
}

std::string value_of(const profile& p, std::string_view key) {
    auto v = p.get(key);
    return v ? std::string(*v) : std::string();
}

credentials_provider_ptr cached(credentials_provider_ptr inner) {
    return std::make_shared<caching_provider>(std::move(inner));
}

// A profile's role settings (role_arn, role_session_name, external_id,
// duration_seconds).
assume_role_params role_params(const profile& p) {
    assume_role_params r;
    r.role_arn = value_of(p, "role_arn");
    r.role_session_name = value_of(p, "role_session_name");
    r.external_id = value_of(p, "external_id");
    if (auto d = p.get("duration_seconds")) {
        long seconds = 0;
        auto [end, ec] = std::from_chars(d->data(), d->data() + d->size(), seconds);
        if (ec != std::errc() || end != d->data() + d->size() || seconds < 900 || seconds > 43200)
            bad(p, "duration_seconds must be a number of seconds from 900 to 43200, not '" +
                       std::string(*d) + "'");
        r.duration = std::chrono::seconds(seconds);
    }
    return r;
}

struct resolved_source {
    credentials_provider_ptr provider;
    std::string what; // for name() and messages
};

// Walks profiles into providers; `path` holds the profiles being resolved
// (source_profile links), to refuse cycles.
struct resolver {
    const profile_set& files;
    const profile_credentials_options& opts;
    std::vector<std::string> path;

    resolved_source resolve(const profile& p) {
        path.push_back(p.name);
        resolved_source r;
        if (p.get("role_arn"))
            r = role(p);
        else if (p.get("web_identity_token_file"))
            bad(p, "web_identity_token_file needs role_arn");
        else if (p.get("sso_session") || p.get("sso_start_url"))
            r = sso(p);
        else if (p.get("aws_access_key_id") || p.get("aws_secret_access_key"))
            r = {std::make_shared<static_provider>(read_profile_keys(p)), "static keys"};
        else if (auto cmd = p.get("credential_process"); cmd && !cmd->empty())
            r = {cached(std::make_shared<process_provider>(std::string(*cmd), p.name)),
                 "credential_process"};
        else
            throw credentials_error(credentials_errc::not_found,
                                    "profile '" + p.name + "' has no credentials (no keys, " +
                                        "role_arn, sso_session, or credential_process)");
        path.pop_back();
        return r;
    }

    resolved_source role(const profile& p) {
        if (p.get("mfa_serial"))
            throw credentials_error(credentials_errc::unsupported,
                                    "profile '" + p.name +
                                        "' sets mfa_serial: an MFA code needs an interactive "
                                        "prompt, which a server cannot show; use a role without "
                                        "MFA or credentials obtained beforehand");
        auto params = role_params(p);
        if (params.role_arn.empty())
            bad(p, "role_arn is empty");
        if (auto file = p.get("web_identity_token_file")) {
            if (file->empty())
                bad(p, "web_identity_token_file is empty");
            return {cached(std::make_shared<web_identity_provider>(std::string(*file), params,
                                                                   opts.sts)),
                    "web identity " + params.role_arn};
        }
        auto source = role_source(p);
        auto provider =
            cached(std::make_shared<assume_role_provider>(source.provider, params, opts.sts));
        return {std::move(provider),
                "assume-role " + params.role_arn + " (from " + source.what + ")"};
    }

    resolved_source role_source(const profile& p) {
        auto source_profile = p.get("source_profile");
        auto credential_source = p.get("credential_source");
        if (source_profile && credential_source)
            bad(p, "set source_profile or credential_source, not both");
        if (credential_source)
            return named_source(p, std::string(*credential_source));
        if (!source_profile || source_profile->empty())
            bad(p, "role_arn needs source_profile or credential_source");
        std::string name(*source_profile);
        if (name == p.name) {
            // A profile that is its own source uses its own static keys.
            if (!p.get("aws_access_key_id"))
                bad(p, "source_profile names the profile itself, which has no static keys");
            return {std::make_shared<static_provider>(read_profile_keys(p)),
                    "profile '" + name + "': static keys"};
        }
        if (std::find(path.begin(), path.end(), name) != path.end()) {
            std::string cycle;
            for (const auto& n : path)
                cycle += n + " -> ";
            bad(p, "source_profile cycle: " + cycle + name);
        }
        const profile* src = files.find(name);
        if (!src)
            throw credentials_error(credentials_errc::profile_not_found,
                                    "profile '" + p.name + "' names source_profile '" + name +
                                        "', which exists in no config or credentials file");
        try {
            auto r = resolve(*src);
            return {std::move(r.provider), "profile '" + name + "': " + r.what};
        } catch (const credentials_error& e) {
            if (e.code() != credentials_errc::not_found)
                throw;
            bad(p, "source_profile '" + name + "' has no credentials");
        }
    }

    resolved_source named_source(const profile& p, const std::string& name) {
        if (name == "Environment")
            return {std::make_shared<environment_provider>(), "environment"};
        if (name == "Ec2InstanceMetadata")
            return {std::make_shared<instance_metadata_provider>(), "instance metadata"};
        if (name == "EcsContainer")
            return {std::make_shared<container_provider>(), "container"};
        bad(p, "credential_source must be Environment, Ec2InstanceMetadata or EcsContainer, "
               "not '" +
                   name + "'");
    }

    resolved_source sso(const profile& p) {
        sso_settings s;
        s.profile_name = p.name;
        s.account_id = value_of(p, "sso_account_id");
        s.role_name = value_of(p, "sso_role_name");
        s.cache_dir = opts.sso_cache_dir;
        s.tls = opts.tls;
        s.start_url = value_of(p, "sso_start_url");
        s.sso_region = value_of(p, "sso_region");
        if (auto session = p.get("sso_session")) {
            s.session_name = std::string(*session);
            const profile* section = files.sso_session(s.session_name);
            if (!section)
                bad(p, "sso_session '" + s.session_name + "' has no [sso-session " +
                           s.session_name +
                           "] section in the config "
                           "file");
            for (auto [key, field] : {std::pair{"sso_start_url", &s.start_url},
                                      std::pair{"sso_region", &s.sso_region}}) {
                auto v = value_of(*section, key);
                if (!field->empty() && !v.empty() && *field != v)
                    bad(p, std::string(key) + " differs from the one of [sso-session " +
                               s.session_name + "]");
                if (!v.empty())
                    *field = v;
            }
        }
        for (auto [key, field] :
             {std::pair{"sso_start_url", &s.start_url}, std::pair{"sso_region", &s.sso_region},
              std::pair{"sso_account_id", &s.account_id}, std::pair{"sso_role_name", &s.role_name}})
            if (field->empty())
                bad(p, std::string("SSO profile lacks ") + key);
        return {cached(std::make_shared<sso_provider>(std::move(s))), "sso"};
    }
};

} // namespace

profile_credentials_provider::profile_credentials_provider(profile_credentials_options opts)
    : selection_(profile_selection::from_environment()) {
    auto paths = profile_file_paths::from_environment();
    try {
        auto files = profile_set::load(paths);
        // Where the profile was looked for, each file said present or not.
        std::string where;
        for (const auto& f : {paths.credentials, paths.config}) {
            const auto& present = files.sources();
            bool there = std::find(present.begin(), present.end(), f) != present.end();
            where += (where.empty() ? " in " : " or ") + f + (there ? "" : " (no such file)");
        }
        resolve(files, opts, where);
    } catch (const credentials_error& e) {
        error_ = e;
        resolved_ = e.what();
    }
}

profile_credentials_provider::profile_credentials_provider(const profile_set& files,
                                                           profile_selection selection,
                                                           profile_credentials_options opts)
    : selection_(std::move(selection)) {
    std::string where;
    for (const auto& s : files.sources())
        where += (where.empty() ? " in " : ", ") + s;
    if (where.empty())
        where = " (no config or credentials file present)";
    resolve(files, opts, where);
}

void profile_credentials_provider::resolve(const profile_set& files,
                                           const profile_credentials_options& opts,
                                           const std::string& where) {
    try {
        const profile* p = files.find(selection_.name);
        if (!p)
            throw credentials_error(selection_.explicit_choice ? credentials_errc::profile_not_found
                                                               : credentials_errc::not_found,
                                    "no profile '" + selection_.name + "'" + where +
                                        (selection_.explicit_choice
                                             ? " (AWS_PROFILE / AWS_DEFAULT_PROFILE chose it)"
                                             : ""));
        resolver r{files, opts, {}};
        auto result = r.resolve(*p);
        inner_ = std::move(result.provider);
        resolved_ = std::move(result.what);
    } catch (const credentials_error& e) {
        error_ = e;
        resolved_ = e.what();
    } catch (const config_error& e) {
        // A setting a source refuses (an SSO region that is no region, ...):
        // reported by fetch() like every profile error, so the chain's other
        // sources and the client's construction are not affected.
        error_ = credentials_error(credentials_errc::malformed,
                                   "profile '" + selection_.name + "': " + e.what());
        resolved_ = error_->what();
    }
}

boost::asio::awaitable<credentials> profile_credentials_provider::fetch() {
    if (!inner_)
        throw *error_;
    auto inner = inner_; // kept by the frame
    co_return co_await inner->fetch();
}

std::string profile_credentials_provider::name() const {
    if (!inner_)
        return "profile '" + selection_.name + "'";
    return "profile '" + selection_.name + "': " + resolved_;
}

void profile_credentials_provider::invalidate() {
    if (inner_)
        inner_->invalidate();
}

} // namespace ddb
