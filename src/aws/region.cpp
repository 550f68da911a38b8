#include <ddb/aws/region.hpp>
#include <ddb/credentials/error.hpp>

#include "../core/env.hpp"

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
    if (region.empty()) {
        std::string files;
        for (const auto& f : profiles.sources())
            files += (files.empty() ? "" : ", ") + f;
        std::string empty_vars;
        for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
            if (detail::getenv_set_but_empty(name))
                empty_vars += std::string(empty_vars.empty() ? "" : ", ") + name;
        throw config_error(
            config_errc::region_not_found,
            "no AWS region: tried the client config, AWS_REGION, AWS_DEFAULT_REGION and the "
            "'region' of profile '" +
                selection.name + "' (" +
                (files.empty() ? "no config file present" : "in " + files) + ")" +
                (empty_vars.empty() ? ""
                                    : "; " + empty_vars + " set but empty, which counts as unset"));
    }
    validate_region(region);
    return region;
}

std::string resolve_region(std::optional<std::string_view> explicit_region) {
    auto selection = profile_selection::from_environment();
    if ((explicit_region && !explicit_region->empty()) || detail::getenv_nonempty("AWS_REGION") ||
        detail::getenv_nonempty("AWS_DEFAULT_REGION"))
        return resolve_region(explicit_region, profile_set{}, selection);
    // The files are needed: a syntax error in them is reported here
    // (credentials_error(malformed), file and line), not taken for "no region".
    return resolve_region(std::nullopt, profile_set::load(), selection);
}

} // namespace ddb
