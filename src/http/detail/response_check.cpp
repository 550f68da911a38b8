#include "response_check.hpp"

#include "../../core/crc32.hpp"

#include <algorithm>
#include <charconv>

namespace ddb::http::detail {

void limit_response(boost::beast::http::basic_parser<false>& p, std::size_t max_response_bytes) {
    p.body_limit(max_response_bytes);
    p.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(max_response_bytes, 1 << 20)));
}

} // namespace ddb::http::detail

namespace ddb::http {

bool crc32_matches(std::string_view header_value, std::string_view body, std::uint32_t& actual) {
    actual = ddb::detail::crc32(body.data(), body.size());
    std::uint32_t expected = 0;
    auto [p, ec] =
        std::from_chars(header_value.data(), header_value.data() + header_value.size(), expected);
    return ec == std::errc() && p == header_value.data() + header_value.size() &&
           expected == actual;
}

} // namespace ddb::http
