// ddb — an opt-in, allocation-light form of a GetRecords answer: the page
// owns the answer's text and one arena; its records are views
// (`stream_record_view`, images as `item_view`) into them. For readers that
// want speed; `get_records_response` stays the owning form
// (`to_response()`, `stream_record_view::to_record()`).
// Thread safety: distinct objects: safe; shared objects: safe to read
// concurrently, not to change (assign, move) while read.
#pragma once

#include <ddb/model/item_view.hpp>
#include <ddb/model/streams.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace ddb {

/// `stream_identity` as views.
struct stream_identity_view {
    std::string_view principal_id{};
    std::string_view type{};
};

/// `stream_record` as views into its page (valid while the page lives;
/// moving the page keeps them valid).
struct stream_record_view {
    std::string_view event_id{};
    ddb::stream_event_name event_name = ddb::stream_event_name::unknown;
    std::string_view event_version{};
    std::string_view event_source{};
    std::string_view aws_region{};
    std::chrono::system_clock::time_point approximate_creation_time{};
    item_view keys{};
    std::optional<item_view> old_image{};
    std::optional<item_view> new_image{};
    std::string_view sequence_number{};
    std::int64_t size_bytes = 0;
    ddb::stream_view_type stream_view_type = ddb::stream_view_type::unknown;
    std::optional<stream_identity_view> user_identity{};

    bool is_ttl_deletion() const noexcept {
        return event_name == stream_event_name::remove && user_identity &&
               user_identity->type == "Service" &&
               user_identity->principal_id == "dynamodb.amazonaws.com";
    }
    /// The owning record, equal field for field to what `get_records` gives.
    stream_record to_record() const;
};

/** A GetRecords answer as views: `streams_client::get_records_page`.

    Decoded from the answer's text with a few allocations per page (the
    text, the arena's blocks, the record array) instead of about 55 per
    record: strings and numbers without escapes point into the text, the
    rest (unescaped strings, decoded bytes, the attribute arrays) is in the
    arena. Values are validated as `get_records` validates them; an answer it
    refuses gets the same error.

    Thread safety: distinct objects: safe; shared objects: safe to read
    concurrently.
*/
class get_records_page {
public:
    get_records_page();
    ~get_records_page();
    get_records_page(get_records_page&&) noexcept;
    get_records_page& operator=(get_records_page&&) noexcept;
    get_records_page(const get_records_page&) = delete;
    get_records_page& operator=(const get_records_page&) = delete;

    std::span<const stream_record_view> records() const noexcept;
    /// As `get_records_response::next_shard_iterator`.
    std::optional<std::string_view> next_shard_iterator() const noexcept;
    /// The owning form, equal to what `get_records` gives for the same answer.
    get_records_response to_response() const;

    struct state; // src/model/get_records_page.cpp

private:
    friend struct model_detail::view_maker;
    std::unique_ptr<state> s_;
};

namespace model {

/// The page from GetRecords' answer text (copied), nesting at most
/// `max_depth` levels: true when decoded. False (`out` left empty) for any
/// text it is not sure to decode as `decode` does: parse it, `decode` it into
/// a `get_records_response` (which names the problem) and make the page
/// with `page_of`.
bool decode_page(std::string_view text, get_records_page& out, unsigned max_depth);
/// A page holding `response` (moved) and views of it.
get_records_page page_of(get_records_response response);

} // namespace model

} // namespace ddb
