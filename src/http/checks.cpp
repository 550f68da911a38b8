#include <ddb/http/checks.hpp>

#include "../core/crc32.hpp"

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>

#include <charconv>

namespace ddb::http {

namespace {

// "<context>: <why> (HTTP <status>, request id <id>)", as service errors say it.
std::string message_of(const raw_response& res, std::string_view context, const std::string& why) {
    std::string s = context.empty() ? std::string() : std::string(context) + ": ";
    s += why + " (HTTP " + std::to_string(res.status());
    if (auto id = res["x-amzn-RequestId"]; !id.empty())
        s.append(", request id ").append(id);
    return s + ")";
}

[[noreturn]] void refuse(errc e, const raw_response& res, std::string_view context,
                         const std::string& why) {
    const std::string_view body = res.body();
    throw protocol_error(e, message_of(res, context, why), res.status(),
                         std::string(res["x-amzn-RequestId"]), std::string(res["content-type"]),
                         std::string(body.substr(0, 256)));
}

} // namespace

bool crc32_matches(std::string_view header_value, std::string_view body, std::uint32_t& actual) {
    actual = ddb::detail::crc32(body.data(), body.size());
    std::uint32_t expected = 0;
    auto [p, ec] =
        std::from_chars(header_value.data(), header_value.data() + header_value.size(), expected);
    return ec == std::errc() && p == header_value.data() + header_value.size() &&
           expected == actual;
}

void check_crc32(const raw_response& res, std::string_view context) {
    if (!res.has("x-amz-crc32"))
        return;
    const std::string_view crc = res["x-amz-crc32"];
    std::uint32_t sum = 0;
    if (!crc32_matches(crc, res.body(), sum))
        refuse(errc::crc32_mismatch, res, context,
               "x-amz-crc32 " + std::string(crc) + " but body has " + std::to_string(sum));
}

boost::json::value parse_json_body(const raw_response& res, boost::json::storage_ptr sp,
                                   unsigned max_depth, std::string_view context) {
    boost::json::error_code ec;
    boost::json::parse_options depth;
    depth.max_depth = max_depth;
    boost::json::value answer = boost::json::parse(res.body(), ec, std::move(sp), depth);
    if (!ec && answer.is_object())
        return answer;
    const std::string status = std::to_string(res.status());
    refuse(errc::unparsable_body, res, context,
           ec == boost::json::error::too_deep ? status + " response nests JSON deeper than " +
                                                    std::to_string(max_depth) + " levels"
           : ec ? status + " response is not JSON: " + ec.message()
                : status + " response is not a JSON object");
}

} // namespace ddb::http
