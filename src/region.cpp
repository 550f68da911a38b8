#include <ddb/credentials/error.hpp>
#include <ddb/region.hpp>

#include "credentials/env.hpp"

namespace ddb {

void validate_region(std::string_view region) {
    bool ok =
        !region.empty() && region.size() <= 64 && region.front() != '-' && region.back() != '-';
    for (char c : region)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    if (!ok)
        throw config_error(config_errc::invalid_region,
                           "invalid AWS region name '" + std::string(region) +
                               "' (expected lower-case letters, digits and dashes)");
}

std::string resolve_region(std::optional<std::string_view> explicit_region,
                           const profile_set& profiles, const profile_selection& selection) {
    std::string region;
    if (explicit_region && !explicit_region->empty())
        region = std::string(*explicit_region);
    else if (auto r = detail::getenv_nonempty("AWS_REGION"))
        region = *r;
    else if (auto r = detail::getenv_nonempty("AWS_DEFAULT_REGION"))
        region = *r;
    else if (const profile* p = profiles.find(selection.name)) {
        if (auto r = p->get("region"); r && !r->empty())
            region = std::string(*r);
    }
    if (region.empty())
        throw config_error(config_errc::region_not_found,
                           "no AWS region: tried the client config, AWS_REGION, "
                           "AWS_DEFAULT_REGION and the 'region' of profile '" +
                               selection.name + "'");
    validate_region(region);
    return region;
}

std::string resolve_region(std::optional<std::string_view> explicit_region) {
    auto selection = profile_selection::from_environment();
    if (explicit_region && !explicit_region->empty())
        return resolve_region(explicit_region, profile_set{}, selection);
    profile_set profiles;
    try {
        profiles = profile_set::load();
    } catch (const credentials_error&) {
        // A broken profile file cannot supply a region; the credentials
        // provider reports the file itself.
    }
    return resolve_region(std::nullopt, profiles, selection);
}

} // namespace ddb
