// Internal: which endpoint each attempt of a client goes to. Without
// account-based endpoints that is one fixed target; with them, the account
// endpoint of the credentials the attempt is signed with, cached.
#pragma once

#include <ddb/aws/endpoint.hpp>
#include <ddb/credentials/credentials.hpp>
#include <ddb/http/transport.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace ddb::detail {

/// An endpoint as an attempt needs it: where to connect, the Host header,
/// the region to sign for.
struct endpoint_target {
    explicit endpoint_target(service_endpoint e, std::string account_id = {},
                             std::string account_source = {});
    service_endpoint where;
    http::origin origin;
    std::string host_header;
    std::string account_id;     ///< account-based targets: the account
    std::string account_source; ///< account-based targets: the credentials' source
};

/// Chooses each attempt's target from the client's resolved endpoint and the
/// attempt's credentials. Not account-based: always `base()`, at the cost of
/// one test. Account-based: the last account target is kept, and a new one
/// is built (and `on_new_target` told) only when the account changes.
///
/// Thread safety: `select`, `current` and `describe` may be called
/// concurrently.
class endpoint_selector {
public:
    endpoint_selector(dynamodb_endpoint resolved,
                      std::function<void(const std::string&)> on_new_target = {});

    const dynamodb_endpoint& resolved() const noexcept { return resolved_; }
    const endpoint_target& base() const noexcept { return base_; }

    /// The target of an attempt signed with `c`. `keep` holds an account
    /// target alive while the attempt uses it. Throws `config_error` when the
    /// credentials' account id is malformed, or missing with mode `required`.
    const endpoint_target& select(const credentials& c,
                                  std::shared_ptr<const endpoint_target>& keep) {
        if (!resolved_.account_based)
            return base_;
        return select_account(c, keep);
    }

    /// The last account target used, else null.
    std::shared_ptr<const endpoint_target> current_account() const;

    /// Which endpoint form is used, for people: "account-based
    /// https://123456789012.ddb.us-east-1.amazonaws.com (account from
    /// credentials: environment)", "regional https://...", "configured
    /// http://localhost:8000 (AWS_ENDPOINT_URL_DYNAMODB)", "FIPS ...".
    std::string describe() const;

private:
    const endpoint_target& select_account(const credentials& c,
                                          std::shared_ptr<const endpoint_target>& keep);

    dynamodb_endpoint resolved_;
    endpoint_target base_;
    std::function<void(const std::string&)> on_new_target_;
    mutable std::mutex mutex_;
    std::shared_ptr<const endpoint_target> account_; // the last one (mutex_)
    std::atomic<bool> used_without_account_{false};
};

} // namespace ddb::detail
