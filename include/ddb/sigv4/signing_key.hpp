// ddb — the derived SigV4 signing key and its cache.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::sigv4 {

/// A derived signing key: HMAC chain
///   kDate    = HMAC("AWS4" + secret, yyyymmdd)
///   kRegion  = HMAC(kDate, region)
///   kService = HMAC(kRegion, service)
///   kSigning = HMAC(kService, "aws4_request")
/// It also keeps the HMAC inner and outer hash states of kSigning, so each
/// signature made with a cached key hashes two blocks fewer.
class signing_key {
public:
    /// Derives the key. `date` is the 8-character yyyymmdd of the signing time.
    signing_key(std::string_view secret, std::string_view date, std::string_view region,
                std::string_view service);

    /// The 32 raw bytes of kSigning.
    const std::array<std::uint8_t, 32>& bytes() const noexcept { return key_; }

    /// HMAC-SHA256(kSigning, message), written as 64 lower-case hex digits to `out`.
    void sign_hex(std::string_view message, char* out) const noexcept;

private:
    std::array<std::uint8_t, 32> key_{};
    // Opaque SHA-256 midstates after absorbing key^ipad / key^opad.
    alignas(8) std::array<std::uint8_t, 256> pads_{};
};

/// A small cache of derived keys, keyed by (secret, date, region, service).
/// A client signs with one or a few keys that change once a day, so a handful
/// of entries with round-robin replacement is enough.
///
/// Thread safety: all members may be called concurrently.
class signing_key_cache {
public:
    explicit signing_key_cache(std::size_t capacity = 8);

    /// Returns the cached key, deriving and inserting it on a miss.
    signing_key get(std::string_view secret, std::string_view date, std::string_view region,
                    std::string_view service);

    /// Drops every entry (e.g. after credentials were rotated).
    void clear();

    /// Number of derivations done so far (misses); for tests and metrics.
    std::uint64_t derivations() const;

private:
    struct entry {
        std::string secret, date, region, service;
        signing_key key;
    };
    mutable std::mutex mutex_;
    std::vector<entry> entries_;
    std::size_t capacity_;
    std::size_t next_ = 0;
    std::uint64_t derivations_ = 0;
};

} // namespace ddb::sigv4
