// ddb — a cache with single-flight refresh in front of another provider.
#pragma once

#include <ddb/credentials/provider.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace ddb {

namespace detail {
struct caching_provider_state; // the implementation (src/)
}

/// Caches the credentials of an inner provider.
///
/// - Credentials without expiration are fetched once and kept.
/// - Within `refresh_before` of the expiration, the cached credentials are
///   still returned at once while one background refresh runs.
/// - When there are none yet, or they expired, callers wait for the refresh;
///   concurrent callers share one refresh (one call of the inner provider).
/// - A failed background refresh keeps the still-valid credentials; a failed
///   required refresh is thrown to every waiter, and the next call tries again.
///
/// No call blocks a thread: waiters are suspended coroutines, resumed on
/// their own executors. The refresh runs on the executor of the call that
/// started it.
///
/// Thread safety: `fetch()` and `invalidate()` may be called concurrently.
class caching_provider final : public credentials_provider {
public:
    struct options {
        /// Refresh this long before the expiration (AWS SDKs use 5 minutes);
        /// >= 0, else the constructor throws `config_error(invalid_setting)`.
        std::chrono::seconds refresh_before = std::chrono::minutes(5);
        /// The clock; replaceable for tests.
        std::function<std::chrono::system_clock::time_point()> now = [] {
            return std::chrono::system_clock::now();
        };
    };

    explicit caching_provider(credentials_provider_ptr inner);
    caching_provider(credentials_provider_ptr inner, options opts);
    ~caching_provider() override;

    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override;
    void invalidate() override;
    /// The inner provider's `describe()`, and the cached credentials'
    /// source and expiry.
    std::string describe() const override;

    /// How many times the inner provider was called; for tests and metrics.
    std::uint64_t refreshes() const;

private:
    std::shared_ptr<detail::caching_provider_state> state_;
};

} // namespace ddb
