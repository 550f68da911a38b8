#include "sts_xml.hpp"

#include <ddb/sigv4/canonical_request.hpp>

#include "metadata_http.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <algorithm>
#include <array>
#include <sstream>

namespace ddb::detail {

namespace pt = boost::property_tree;

namespace {

// Elements nested deeper than this are refused before parsing: STS answers
// are 4 levels deep, and the parser recurses once per level.
constexpr int max_depth = 16;

bool too_deep(std::string_view xml) {
    int depth = 0;
    for (std::size_t i = 0; i + 1 < xml.size(); ++i) {
        if (xml[i] != '<' || xml[i + 1] == '?' || xml[i + 1] == '!')
            continue;
        if (xml[i + 1] == '/') {
            --depth;
            continue;
        }
        auto end = xml.find('>', i);
        bool empty_element = end != std::string_view::npos && xml[end - 1] == '/';
        if (!empty_element && ++depth > max_depth)
            return true;
    }
    return false;
}

// The parsed document; nothing when it is not well-formed XML.
std::optional<pt::ptree> parse_xml(std::string_view xml) {
    if (too_deep(xml))
        return std::nullopt;
    std::istringstream in{std::string(xml)};
    pt::ptree doc;
    try {
        pt::read_xml(in, doc, pt::xml_parser::trim_whitespace | pt::xml_parser::no_comments);
    } catch (const pt::ptree_error&) {
        return std::nullopt;
    }
    return doc;
}

std::string text_of(const pt::ptree& node, const std::string& path) {
    return node.get<std::string>(pt::ptree::path_type(path, '/'), "");
}

} // namespace

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty())
            out += '&';
        sigv4::uri_encode(out, name, false);
        out += '=';
        sigv4::uri_encode(out, value, false);
    }
    return out;
}

credentials parse_sts_credentials(std::string_view xml, std::string_view action,
                                  std::string source) {
    auto doc = parse_xml(xml);
    if (!doc)
        throw credentials_error(credentials_errc::malformed,
                                source + ": the STS answer is not XML");
    std::string result_path = std::string(action) + "Response/" + std::string(action) + "Result";
    auto result = doc->get_child_optional(pt::ptree::path_type(result_path, '/'));
    if (!result)
        throw credentials_error(credentials_errc::malformed,
                                source + ": the STS answer has no " + result_path);
    credentials c;
    c.access_key_id = text_of(*result, "Credentials/AccessKeyId");
    c.secret_access_key = text_of(*result, "Credentials/SecretAccessKey");
    c.session_token = text_of(*result, "Credentials/SessionToken");
    c.account_id = account_id_of_arn(text_of(*result, "AssumedRoleUser/Arn"));
    c.source = std::move(source);
    const std::array<std::pair<const char*, const std::string*>, 3> required{
        {{"AccessKeyId", &c.access_key_id},
         {"SecretAccessKey", &c.secret_access_key},
         {"SessionToken", &c.session_token}}};
    for (const auto& [name, value] : required)
        if (value->empty())
            throw credentials_error(credentials_errc::malformed,
                                    c.source + ": the STS answer has no Credentials/" + name);
    std::string expiration = text_of(*result, "Credentials/Expiration");
    c.expiration = parse_iso8601(expiration);
    if (!c.expiration)
        throw credentials_error(credentials_errc::malformed,
                                c.source + ": the STS answer's Credentials/Expiration is " +
                                    (expiration.empty() ? "missing" : "not an ISO 8601 time"));
    return c;
}

std::optional<sts_error_answer> parse_sts_error(std::string_view xml) {
    auto doc = parse_xml(xml);
    if (!doc)
        return std::nullopt;
    auto root = doc->get_child_optional("ErrorResponse");
    if (!root)
        return std::nullopt;
    auto error = root->get_child_optional("Error");
    if (!error)
        error = root->get_child_optional(pt::ptree::path_type("Errors/Error", '/'));
    if (!error)
        return std::nullopt;
    return sts_error_answer{text_of(*error, "Code"), text_of(*error, "Message"),
                            text_of(*root, "RequestId")};
}

sts_error_class classify_sts_error(unsigned http_status, std::string_view code) {
    using e = credentials_errc;
    static constexpr std::array<std::string_view, 5> retried{
        "Throttling", "ThrottlingException", "IDPCommunicationError", "RequestLimitExceeded",
        "ServiceUnavailable"};
    static constexpr std::array<std::string_view, 11> denied{"AccessDenied",
                                                             "AccessDeniedException",
                                                             "InvalidIdentityToken",
                                                             "IDPRejectedClaim",
                                                             "RegionDisabledException",
                                                             "InvalidClientTokenId",
                                                             "SignatureDoesNotMatch",
                                                             "UnrecognizedClientException",
                                                             "IncompleteSignature",
                                                             "MissingAuthenticationToken",
                                                             "InvalidAccessKeyId"};
    static constexpr std::array<std::string_view, 8> malformed{"MalformedPolicyDocument",
                                                               "MalformedPolicyDocumentException",
                                                               "PackedPolicyTooLarge",
                                                               "PackedPolicyTooLargeException",
                                                               "ValidationError",
                                                               "InvalidParameterValue",
                                                               "InvalidParameterCombination",
                                                               "MissingParameter"};
    auto in = [&](const auto& list) {
        return std::find(list.begin(), list.end(), code) != list.end();
    };
    if (http_status >= 500 || in(retried))
        return {e::provider_failed, true};
    if (in(denied))
        return {e::access_denied, false};
    if (code == "ExpiredToken" || code == "ExpiredTokenException")
        return {e::expired_token, false};
    if (in(malformed))
        return {e::malformed_policy, false};
    return {e::provider_failed, false};
}

std::string account_id_of_arn(std::string_view arn) {
    // arn:partition:service:region:account-id:resource
    std::size_t at = 0;
    for (int field = 0; field < 4; ++field) {
        at = arn.find(':', at);
        if (at == std::string_view::npos)
            return {};
        ++at;
    }
    if (!arn.starts_with("arn:"))
        return {};
    auto end = arn.find(':', at);
    if (end == std::string_view::npos)
        return {};
    return std::string(arn.substr(at, end - at));
}

} // namespace ddb::detail
