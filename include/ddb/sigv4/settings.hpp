// ddb — SigV4 signing options. Each is a named enum, not a bool, and says
// which services need the non-default value.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

namespace ddb::sigv4 {

/// How the canonical URI is derived from the request path you pass.
enum class percent_encoding {
    /// The path (as it goes on the wire) is URI-encoded once more. Every
    /// service but S3 expects this; for DynamoDB the path is always "/".
    double_encode,
    /// The path is used as given. S3 only.
    single_encode,
};

/// Whether "." / ".." segments and repeated slashes are removed from the path.
enum class path_normalization {
    enabled,  ///< every service but S3
    disabled, ///< S3
};

/// What to do with the session token of temporary credentials.
enum class session_token_mode {
    /// Add `x-amz-security-token` and sign it (every modern service).
    include,
    /// Add `x-amz-security-token` after signing, unsigned (a few legacy
    /// services that reject a signed token).
    exclude_from_signature,
};

/// All options of one signature. The defaults suit DynamoDB.
struct settings {
    percent_encoding encoding = percent_encoding::double_encode;
    path_normalization normalization = path_normalization::enabled;
    session_token_mode token_mode = session_token_mode::include;
};

} // namespace ddb::sigv4
