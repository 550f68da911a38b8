#include "partition.hpp"

#include <array>

namespace ddb::detail {
namespace {

// One partition and how its region names look: one of `prefixes` (each with
// its trailing '-'), then `\w+-\d+` (partitions.json's regionRegex, written
// out: "us-gov-west-1" is aws-us-gov, not aws, as `\w` has no '-').
struct partition_entry {
    partition p;
    std::string_view global_region;
    std::array<std::string_view, 9> prefixes; // (unused ones empty)
};

const std::array<partition_entry, 8>& partitions() noexcept {
    static const std::array<partition_entry, 8> table = {{
        {{"aws", "amazonaws.com", "api.aws"},
         "aws-global",
         {"us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-"}},
        {{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn"}, "aws-cn-global", {"cn-"}},
        {{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu"}, "", {"eusc-de-"}},
        {{"aws-iso", "c2s.ic.gov", "api.aws.ic.gov"}, "aws-iso-global", {"us-iso-"}},
        {{"aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud"}, "aws-iso-b-global", {"us-isob-"}},
        {{"aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"},
         "aws-iso-e-global",
         {"eu-isoe-"}},
        {{"aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov"}, "aws-iso-f-global", {"us-isof-"}},
        {{"aws-us-gov", "amazonaws.com", "api.aws"}, "aws-us-gov-global", {"us-gov-"}},
    }};
    return table;
}

bool word_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// `rest` is `\w+-\d+`.
bool word_dash_digits(std::string_view rest) noexcept {
    auto dash = rest.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash + 1 == rest.size())
        return false;
    for (char c : rest.substr(0, dash))
        if (!word_char(c))
            return false;
    for (char c : rest.substr(dash + 1))
        if (c < '0' || c > '9')
            return false;
    return true;
}

bool matches(const partition_entry& e, std::string_view region) noexcept {
    for (auto prefix : e.prefixes)
        if (!prefix.empty() && region.starts_with(prefix) &&
            word_dash_digits(region.substr(prefix.size())))
            return true;
    return false;
}

} // namespace

const partition& partition_of(std::string_view region) noexcept {
    const auto& table = partitions();
    for (const auto& e : table)
        if (!e.global_region.empty() && region == e.global_region)
            return e.p;
    for (const auto& e : table)
        if (matches(e, region))
            return e.p;
    return table[0].p;
}

} // namespace ddb::detail
