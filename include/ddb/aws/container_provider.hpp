// ddb — credentials from the container credentials endpoint (ECS, EKS Pod Identity).
#pragma once

#include <ddb/credentials/provider.hpp>

#include <chrono>
#include <memory>

namespace ddb {

namespace detail {
struct container_provider_impl; // the implementation (src/)
}

/// Fetches temporary credentials over HTTP from
/// `http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, or from
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https, or http to a loopback or the
/// ECS/EKS link-local addresses only), sending `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`'s
/// content or `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the Authorization header.
///
/// Errors from `fetch()`: `not_found` when neither URI variable is set;
/// `malformed` for a disallowed URI or a bad answer; `provider_failed` when
/// the endpoint cannot be reached or refuses after `attempts` tries.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class container_provider final : public credentials_provider {
public:
    struct options {
        /// Per request; > 0, `milliseconds::max()` for no limit.
        std::chrono::milliseconds timeout{2000};
        int attempts = 3; ///< >= 1
    };
    container_provider();
    /// Throws `config_error(invalid_setting)` for a timeout <= 0 or attempts < 1.
    explicit container_provider(options opts);
    ~container_provider() override;

    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override { return "container"; }

private:
    std::shared_ptr<detail::container_provider_impl> impl_;
};

} // namespace ddb
