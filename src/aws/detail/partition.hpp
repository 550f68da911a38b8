// ddb — private: the AWS partitions (aws, aws-cn, aws-us-gov, the isolated
// ones) and their DNS suffixes, for the endpoint host names.
#pragma once

#include <string_view>

namespace ddb::detail {

/// A partition as the SDKs' partitions.json describes it (botocore 1.43,
/// partitions.json version 1.1; facts only, the table is ours).
struct partition {
    std::string_view name;                 ///< "aws", "aws-cn", "aws-us-gov", ...
    std::string_view dns_suffix;           ///< "amazonaws.com"
    std::string_view dualstack_dns_suffix; ///< "api.aws"
    bool supports_fips = true;
    bool supports_dualstack = true;
};

/// The partition of `region`, as the rule sets' `aws.partition()` finds it:
/// a partition's global pseudo-region ("aws-global", "aws-cn-global", ...)
/// by name, else the first partition whose region pattern matches
/// ("cn-north-1" → aws-cn, "us-gov-west-1" → aws-us-gov), else aws.
const partition& partition_of(std::string_view region) noexcept;

} // namespace ddb::detail
