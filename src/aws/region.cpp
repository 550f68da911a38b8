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

namespace {

[[noreturn]] void no_region(const profile_set& profiles, const profile_selection& selection) {
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
            selection.name + "' (" + (files.empty() ? "no config file present" : "in " + files) +
            ")" +
            (empty_vars.empty() ? ""
                                : "; " + empty_vars + " set but empty, which counts as unset"));
}

} // namespace

std::string resolve_region(std::optional<std::string_view> explicit_region,
                           lazy_profile_set& files) {
    std::string region;
    if (explicit_region && !explicit_region->empty())
        region = std::string(*explicit_region);
    else if (auto r = detail::getenv_nonempty("AWS_REGION"))
        region = *r;
    else if (auto r = detail::getenv_nonempty("AWS_DEFAULT_REGION"))
        region = *r;
    else if (const profile* p = files.selected()) { // only now are the files read
        if (auto r = p->get("region"); r && !r->empty())
            region = std::string(*r);
    }
    if (region.empty())
        no_region(files.profiles(), files.selection());
    validate_region(region);
    return region;
}

std::string resolve_region(std::optional<std::string_view> explicit_region,
                           const profile_set& profiles, const profile_selection& selection) {
    lazy_profile_set files(profiles, selection);
    return resolve_region(explicit_region, files);
}

std::string resolve_region(std::optional<std::string_view> explicit_region) {
    lazy_profile_set files;
    return resolve_region(explicit_region, files);
}

} // namespace ddb
