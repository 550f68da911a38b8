// ddb — the checks of a whole response before its body is used: integrity
// (x-amz-crc32) and, for a successful answer, JSON within a depth limit.
// (The size limit applies while reading: `pool_options::max_response_bytes`.)
#pragma once

#include <ddb/http/error.hpp>
#include <ddb/http/integrity.hpp>
#include <ddb/http/message.hpp>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace ddb::http {

/// Throws `protocol_error(errc::crc32_mismatch)` when `res` has an
/// x-amz-crc32 field that its body does not match. `context` (e.g. the
/// operation) starts the message when not empty.
void check_crc32(const raw_response& res, std::string_view context = {});

/// A successful answer's body as a JSON object, allocated from `sp`. A body
/// nesting deeper than `max_depth` levels is refused as it is read (it never
/// reaches a recursive decoder). Throws `protocol_error(errc::unparsable_body)`
/// saying why ("200 response is not JSON: ...").
boost::json::value parse_json_body(const raw_response& res, boost::json::storage_ptr sp,
                                   unsigned max_depth, std::string_view context = {});

} // namespace ddb::http
