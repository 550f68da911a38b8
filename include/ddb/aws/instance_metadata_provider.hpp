// ddb — credentials of the EC2 instance's IAM role, from IMDSv2.
#pragma once

#include <ddb/credentials/provider.hpp>

#include <chrono>
#include <memory>

namespace ddb {

namespace detail {
struct instance_metadata_provider_impl; // the implementation (src/)
}

/// IMDSv2: `PUT /latest/api/token` (with a TTL header) for a session token,
/// then `GET /latest/meta-data/iam/security-credentials/` for the role name,
/// then the role's credentials. The endpoint is
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` or http://169.254.169.254;
/// `AWS_EC2_METADATA_DISABLED=true` turns the provider off.
///
/// Short timeouts and few attempts, so an application that is not on EC2
/// does not stall at start: an unreachable endpoint is `not_found`. A
/// reachable one that fails is `provider_failed`; no role is `not_found`.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class instance_metadata_provider final : public credentials_provider {
public:
    struct options {
        /// Per request; > 0, `milliseconds::max()` for no limit.
        std::chrono::milliseconds timeout{1000};
        int attempts = 2; ///< >= 1
        /// Session token lifetime asked for: 1 s to 6 h (IMDSv2's range).
        std::chrono::seconds token_ttl{21600};
    };
    instance_metadata_provider();
    /// Throws `config_error(invalid_setting)` for an option out of its range.
    explicit instance_metadata_provider(options opts);
    ~instance_metadata_provider() override;

    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override { return "instance metadata"; }
    void invalidate() override;

private:
    std::shared_ptr<detail::instance_metadata_provider_impl> impl_;
};

} // namespace ddb
