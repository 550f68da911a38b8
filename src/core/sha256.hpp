// ddb — private SHA-256 / HMAC-SHA256 helpers over OpenSSL's SHA-256.
//
// OpenSSL 3 marks the low-level SHA256_* functions deprecated in favour of
// EVP, but EVP adds a provider dispatch and allocations to every digest; the
// low-level functions are the same assembly (SHA-NI where the CPU has it)
// without that overhead. They are still part of OpenSSL 3's API.
#pragma once

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ddb::sigv4::detail {

using digest = std::array<std::uint8_t, 32>;

inline digest sha256(std::string_view data) noexcept {
    digest out;
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data.data(), data.size());
    SHA256_Final(out.data(), &ctx);
    return out;
}

/// Writes 2*n lower-case hex digits of `bytes` to `out`.
inline void hex_encode(const std::uint8_t* bytes, std::size_t n, char* out) noexcept {
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
}

/// HMAC-SHA256 with the key's inner and outer midstates precomputed.
struct hmac_state {
    SHA256_CTX inner;
    SHA256_CTX outer;

    /// Uninitialised; filled by memcpy from a stored state.
    hmac_state() = default;

    explicit hmac_state(std::string_view key) noexcept {
        std::uint8_t block[64] = {};
        if (key.size() > 64) {
            digest k = sha256(key);
            std::memcpy(block, k.data(), k.size());
        } else {
            std::memcpy(block, key.data(), key.size());
        }
        std::uint8_t ipad[64], opad[64];
        for (int i = 0; i < 64; ++i) {
            ipad[i] = block[i] ^ 0x36;
            opad[i] = block[i] ^ 0x5c;
        }
        SHA256_Init(&inner);
        SHA256_Update(&inner, ipad, 64);
        SHA256_Init(&outer);
        SHA256_Update(&outer, opad, 64);
    }

    digest mac(std::string_view message) const noexcept {
        SHA256_CTX in = inner;
        digest mid;
        SHA256_Update(&in, message.data(), message.size());
        SHA256_Final(mid.data(), &in);
        SHA256_CTX out = outer;
        digest result;
        SHA256_Update(&out, mid.data(), mid.size());
        SHA256_Final(result.data(), &out);
        return result;
    }
};

inline digest hmac_sha256(std::string_view key, std::string_view message) noexcept {
    return hmac_state(key).mac(message);
}

inline std::string_view as_view(const digest& d) noexcept {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

} // namespace ddb::sigv4::detail
