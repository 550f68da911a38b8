// ddb — integrity of a response body: DynamoDB's x-amz-crc32 header.
#pragma once

#include <cstdint>
#include <string_view>

namespace ddb::http {

/// Whether `body` matches an `x-amz-crc32` header value (the decimal CRC32 of
/// the body as sent); `actual` receives the body's CRC32.
/// (CRC32 by PCLMULQDQ folding where the CPU has it, zlib's otherwise.)
bool crc32_matches(std::string_view header_value, std::string_view body, std::uint32_t& actual);

} // namespace ddb::http
