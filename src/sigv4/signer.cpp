#include <ddb/sigv4/signer.hpp>

#include "../core/sha256.hpp"

#include <string>

namespace ddb::sigv4 {
namespace {

bool iequals_lower(std::string_view name, std::string_view lower_name) noexcept {
    if (name.size() != lower_name.size())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c + 32);
        if (c != lower_name[i])
            return false;
    }
    return true;
}

} // namespace

std::string_view signing_result::signature() const {
    std::string_view a = authorization;
    return a.size() >= 64 ? a.substr(a.size() - 64) : std::string_view{};
}

signing_result sign(const request& req, const signing_params& params, signing_key_cache* cache,
                    signing_trace* trace) {
    const auto& creds = params.creds;
    if (creds.access_key_id.empty() || creds.secret_access_key.empty())
        throw signing_error(errc::missing_parameter, "credentials have no access key id or secret");
    if (params.region.empty())
        throw signing_error(errc::missing_parameter, "no region to sign for");
    if (params.service.empty())
        throw signing_error(errc::missing_parameter, "no service to sign for");

    signing_result result;
    result.amz_date = format_amz_date(params.time);
    std::string_view date = std::string_view(result.amz_date).substr(0, 8);

    bool has_date = false, has_token = false;
    for (const auto& h : req.headers) {
        if (iequals_lower(h.name, "x-amz-date")) {
            has_date = true;
            if (h.value != result.amz_date)
                throw signing_error(errc::date_mismatch,
                                    "x-amz-date header differs from the signing time " +
                                        result.amz_date);
        } else if (iequals_lower(h.name, "x-amz-security-token")) {
            has_token = true;
        }
    }
    result.add_amz_date = !has_date;
    const std::string& token = creds.session_token;
    if (!token.empty() && !has_token)
        result.security_token = token;

    added_headers extra;
    if (!has_date)
        extra.amz_date = result.amz_date;
    if (params.opts.token_mode == session_token_mode::include)
        extra.security_token = result.security_token;

    // Canonical request, built in a per-thread buffer that stays warm.
    thread_local std::string creq;
    creq.clear();
    auto info = append_canonical_request(creq, req, params.opts, extra);
    std::string_view signed_headers(creq.data() + info.signed_headers_offset,
                                    info.signed_headers_size);

    // String to sign: algorithm, date, scope, hash of the canonical request.
    thread_local std::string sts;
    sts.clear();
    sts.append("AWS4-HMAC-SHA256\n").append(result.amz_date).push_back('\n');
    auto scope_at = sts.size();
    sts.append(date).append("/").append(params.region).append("/").append(params.service);
    sts.append("/aws4_request");
    auto scope_len = sts.size() - scope_at;
    sts.push_back('\n');
    auto digest = detail::sha256(creq);
    auto hex_at = sts.size();
    sts.resize(hex_at + 64);
    detail::hex_encode(digest.data(), digest.size(), sts.data() + hex_at);

    // Signature with the (cached) derived key.
    char signature[64];
    if (cache) {
        cache->get(creds.secret_access_key, date, params.region, params.service)
            .sign_hex(sts, signature);
    } else {
        signing_key(creds.secret_access_key, date, params.region, params.service)
            .sign_hex(sts, signature);
    }

    std::string& auth = result.authorization;
    auth.reserve(64 + creds.access_key_id.size() + scope_len + signed_headers.size() + 64);
    auth.append("AWS4-HMAC-SHA256 Credential=").append(creds.access_key_id).push_back('/');
    auth.append(sts, scope_at, scope_len).append(", SignedHeaders=").append(signed_headers);
    auth.append(", Signature=").append(signature, 64);

    if (trace) {
        trace->canonical_request = creq;
        trace->string_to_sign = sts;
    }
    return result;
}

signing_key_cache& default_key_cache() {
    static signing_key_cache cache;
    return cache;
}

} // namespace ddb::sigv4
