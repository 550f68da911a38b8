// ddb — AWS Signature Version 4 (header-based) signing.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/credentials/credentials.hpp>
#include <ddb/sigv4/canonical_request.hpp>
#include <ddb/sigv4/error.hpp>
#include <ddb/sigv4/request.hpp>
#include <ddb/sigv4/settings.hpp>
#include <ddb/sigv4/signing_key.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ddb::sigv4 {

/// Everything a signature depends on besides the request. Nothing here reads
/// the clock: pass `std::chrono::system_clock::now()` unless testing.
struct signing_params {
    const credentials& creds;
    std::string_view region;  ///< e.g. "us-east-1"
    std::string_view service; ///< e.g. "dynamodb"
    std::chrono::system_clock::time_point time;
    settings opts = {};
};

/// What to add to the request. `sign()` does not modify the request.
struct signing_result {
    std::string authorization; ///< value of the `Authorization` header
    std::string amz_date;      ///< value of `x-amz-date`
    bool add_amz_date = true;  ///< false when the request already had `x-amz-date`
    /// Value of `x-amz-security-token` to add; empty when there is none to add.
    std::string_view security_token;
    std::string_view signature() const; ///< the 64 hex digits at the end of `authorization`
};

/// The intermediate texts of a signature, for tests and debugging. They
/// contain no secret, but `canonical_request` includes header values (the
/// session token among them); log it only through a redacting view.
struct signing_trace {
    std::string canonical_request;
    std::string string_to_sign;
};

/// Signs `req`. Uses (and fills) `cache` for the derived key; with
/// `cache == nullptr` the key is derived for this call only. Fills `trace`
/// when given. Throws `signing_error` on invalid input, before hashing
/// anything.
signing_result sign(const request& req, const signing_params& params,
                    signing_key_cache* cache = nullptr, signing_trace* trace = nullptr);

/// A process-wide key cache, for callers that do not keep their own.
signing_key_cache& default_key_cache();

} // namespace ddb::sigv4
