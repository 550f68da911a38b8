// Internal: the items of a snapshot (layout in <ddb/es/tables.hpp>): a
// header describing it, and for a large state, parts holding its bytes.
// The decoding half is pure so it can be tested and fuzzed without a server.
#pragma once

#include <ddb/value/item.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddb::es::detail {

/// "h#<id:020>" and "p#<id:020>#<part:06>", the sort keys of header and parts.
std::string snapshot_header_key(std::int64_t id);
std::string snapshot_part_key(std::int64_t id, std::int64_t part);

/// The N attribute `name` as a 64-bit integer; -1 when it is missing, of
/// another type or not a 64-bit integer.
std::int64_t snapshot_integer(const item& it, const char* name);

/// The most parts a snapshot may have (39 GB at the default part size, 100 MB
/// at the smallest): a header claiming more is damaged, and persist() refuses
/// a state that would need more.
inline constexpr std::int64_t max_snapshot_parts = 100'000;
/// The smallest part size store_config allows.
inline constexpr std::int64_t min_snapshot_part_size = 1024;

/// What a header says about its snapshot.
struct snapshot_header {
    std::int64_t id = 0;
    std::int64_t parts = 0; ///< 0: the bytes are in the header's "data"
    std::int64_t size = 0;  ///< bytes of the state
    std::string sum;        ///< lower-case hex SHA-256 of the state
};

/// The header's fields, or nullopt when one is missing or invalid, or when
/// its parts cannot hold its size (the repository then falls back to the
/// snapshot before it).
std::optional<snapshot_header> read_snapshot_header(const item& header);

/// The keys ({pk, sk}) of the parts `h` says the snapshot of `uuid` has.
std::vector<item> snapshot_part_keys(const std::string& uuid, const snapshot_header& h);

/// The state: from `header` when it has no parts, else from `parts` (the
/// part items read, in any order). nullopt when incomplete or damaged: a part
/// missing, repeated or out of range, or the size or checksum wrong.
std::optional<bytes> assemble_snapshot(const snapshot_header& h, const item& header,
                                       const std::vector<item>& parts);

} // namespace ddb::es::detail
