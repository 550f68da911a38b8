#include <ddb/sigv4/signing_key.hpp>

#include "../core/sha256.hpp"

#include <cstring>
#include <string>
#include <type_traits>

namespace ddb::sigv4 {

static_assert(sizeof(detail::hmac_state) <= 256, "signing_key::pads_ too small");
static_assert(std::is_trivially_copyable_v<detail::hmac_state>);

signing_key::signing_key(std::string_view secret, std::string_view date, std::string_view region,
                         std::string_view service) {
    std::string k_secret;
    k_secret.reserve(4 + secret.size());
    k_secret.append("AWS4").append(secret);
    auto k_date = detail::hmac_sha256(k_secret, date);
    auto k_region = detail::hmac_sha256(detail::as_view(k_date), region);
    auto k_service = detail::hmac_sha256(detail::as_view(k_region), service);
    key_ = detail::hmac_sha256(detail::as_view(k_service), "aws4_request");
    // Do not leave the secret-derived copy behind in freed memory.
    std::memset(k_secret.data(), 0, k_secret.size());
    detail::hmac_state state(detail::as_view(key_));
    std::memcpy(pads_.data(), &state, sizeof state);
}

void signing_key::sign_hex(std::string_view message, char* out) const noexcept {
    detail::hmac_state state;
    std::memcpy(&state, pads_.data(), sizeof state);
    auto mac = state.mac(message);
    detail::hex_encode(mac.data(), mac.size(), out);
}

signing_key_cache::signing_key_cache(std::size_t capacity)
    : capacity_(capacity ? capacity : 1) {
    entries_.reserve(capacity_);
}

signing_key signing_key_cache::get(std::string_view secret, std::string_view date,
                                   std::string_view region, std::string_view service) {
    {
        std::lock_guard lock(mutex_);
        for (const auto& e : entries_) {
            if (e.date == date && e.region == region && e.service == service && e.secret == secret)
                return e.key;
        }
    }
    // Derive outside the lock: a miss must not stall other signers.
    signing_key key(secret, date, region, service);
    std::lock_guard lock(mutex_);
    ++derivations_;
    entry e{std::string(secret), std::string(date), std::string(region), std::string(service), key};
    if (entries_.size() < capacity_) {
        entries_.push_back(std::move(e));
    } else {
        entries_[next_] = std::move(e);
        next_ = (next_ + 1) % capacity_;
    }
    return key;
}

void signing_key_cache::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
    next_ = 0;
}

std::uint64_t signing_key_cache::derivations() const {
    std::lock_guard lock(mutex_);
    return derivations_;
}

} // namespace ddb::sigv4
