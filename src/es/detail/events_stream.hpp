// ddb::es detail — the events table's stream as create_tables checks it
// (<ddb/es/events_stream.hpp> has the rest).
#pragma once

#include <ddb/es/events_stream.hpp>

#include <optional>
#include <string>

namespace ddb::es::detail {

/// What keeps `found` from becoming the stream `wanted` in place (a stream
/// enabled with another view type), with what to do about it; nothing when
/// it can.
std::optional<std::string> stream_difference(stream_view_type wanted,
                                             const events_stream_status& found);

/// "NEW_IMAGE", as DynamoDB spells it.
std::string view_type_name(stream_view_type view);

} // namespace ddb::es::detail
