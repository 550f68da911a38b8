// Internal: CRC-32 (the zlib / x-amz-crc32 polynomial) of a buffer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ddb::detail {

/// zlib's crc32(0, data, size): carry-less multiplication folding (PCLMULQDQ)
/// where the CPU has it, zlib's own code for short buffers and tails.
std::uint32_t crc32(const void* data, std::size_t size) noexcept;

} // namespace ddb::detail
