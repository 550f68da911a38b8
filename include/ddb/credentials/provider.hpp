// ddb — the credentials provider interface.
#pragma once

#include <ddb/credentials/credentials.hpp>
#include <ddb/credentials/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

namespace ddb {

/// A source of AWS credentials (environment, profile files, container or
/// instance metadata, a cache in front of another provider...).
///
/// Thread safety: `fetch()` may be called concurrently from several threads.
class credentials_provider {
public:
    virtual ~credentials_provider() = default;

    /// Returns credentials, or throws `credentials_error`. The code
    /// `credentials_errc::not_found` means "this source has none": a chain
    /// then tries its next source. Any other error stops the chain.
    virtual boost::asio::awaitable<credentials> fetch() = 0;

    /// A short description of the source, for error messages ("environment").
    virtual std::string name() const = 0;

    /// Which source serves, for logs and the demo (never a secret): a chain
    /// says which of its sources served last ("chain: ...; served by
    /// profile 'dev': sso"), a cache adds the cached credentials' source and
    /// expiry. By default `name()`.
    virtual std::string describe() const { return name(); }

    /// Forgets cached credentials, e.g. after the service answered
    /// ExpiredToken. Providers without a cache ignore it.
    virtual void invalidate() {}
};

using credentials_provider_ptr = std::shared_ptr<credentials_provider>;

} // namespace ddb
