#include "response_check.hpp"

#include <algorithm>

namespace ddb::http::detail {

void limit_response(boost::beast::http::basic_parser<false>& p, std::size_t max_response_bytes) {
    p.body_limit(max_response_bytes);
    p.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(max_response_bytes, 1 << 20)));
}

} // namespace ddb::http::detail
