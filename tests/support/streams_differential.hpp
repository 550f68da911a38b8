// The two GetRecords decoders side by side (tests/client/streams_fast_decode.cpp
// and the get_records fuzz target): the JSON tree with the tree decoder
// (`model::decode`, the reference, which names every problem) and the text
// decoder (`model::decode_text`, what streams_client::get_records tries
// first). The text decoder may decline anything; what it decodes must be
// what the tree decoder gives, field for field.
#pragma once

#include <ddb/model/get_records_page.hpp>
#include <ddb/model/wire.hpp>
#include <ddb/value/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ddb::test {

/// Every field of a page as text: equal dumps, equal pages.
inline std::string dump(const get_records_response& page) {
    namespace json = boost::json;
    auto image = [](const std::optional<item>& i) {
        return i ? json::serialize(to_json(*i)) : std::string("-");
    };
    std::string s = page.next_shard_iterator ? "next=" + *page.next_shard_iterator : "end";
    for (const stream_record& r : page.records) {
        s += "\n" + r.event_id + "|" + std::to_string(static_cast<int>(r.event_name)) + "|" +
             r.event_version + "|" + r.event_source + "|" + r.aws_region + "|" +
             std::to_string(r.approximate_creation_time.time_since_epoch().count()) + "|" +
             json::serialize(to_json(r.keys)) + "|" + image(r.old_image) + "|" +
             image(r.new_image) + "|" + r.sequence_number + "|" + std::to_string(r.size_bytes) +
             "|" + std::to_string(static_cast<int>(r.stream_view_type)) + "|" +
             (r.user_identity ? r.user_identity->principal_id + "/" + r.user_identity->type
                              : std::string("-"));
    }
    return s;
}

/// What the tree decoder makes of `text`: the page's dump, or nothing when
/// it refuses it (not JSON, not an object, too deep, a malformed field).
inline std::optional<std::string> tree_decoded(std::string_view text, unsigned max_depth) {
    namespace json = boost::json;
    json::parse_options depth;
    depth.max_depth = max_depth;
    json::error_code ec;
    json::value answer = json::parse(text, ec, {}, depth);
    if (ec || !answer.is_object())
        return std::nullopt;
    get_records_response page;
    try {
        model::decode(answer, page);
    } catch (const model::wire_error&) {
        return std::nullopt;
    } catch (const value_error&) {
        return std::nullopt;
    }
    return dump(page);
}

/// What the text decoder makes of it: the dump, or nothing when it declines
/// (then `left_empty` says whether it left the page empty, as promised).
inline std::optional<std::string> text_decoded(std::string_view text, unsigned max_depth,
                                               bool* left_empty = nullptr) {
    get_records_response page;
    const bool done = model::decode_text(text, page, max_depth);
    if (left_empty)
        *left_empty = done || (page.records.empty() && !page.next_shard_iterator);
    if (!done)
        return std::nullopt;
    return dump(page);
}

/// What the page decoder (`model::decode_page`, views into an arena) makes
/// of it: its records made owning (`to_response()`), dumped, or nothing.
inline std::optional<std::string> page_decoded(std::string_view text, unsigned max_depth,
                                               bool* left_empty = nullptr) {
    get_records_page page;
    const bool done = model::decode_page(text, page, max_depth);
    if (left_empty)
        *left_empty = done || (page.records().empty() && !page.next_shard_iterator());
    if (!done)
        return std::nullopt;
    return dump(page.to_response());
}

/// The property: the text decoder never decodes what the tree decoder
/// refuses, and decodes what it does decode to the same page; the page
/// decoder takes exactly what the text decoder takes, and gives the same.
inline bool agree(std::string_view text, unsigned max_depth, bool* declined = nullptr) {
    bool left_empty = false, page_left_empty = false;
    const auto fast = text_decoded(text, max_depth, &left_empty);
    const auto page = page_decoded(text, max_depth, &page_left_empty);
    if (declined)
        *declined = !fast;
    if (!left_empty || !page_left_empty || fast.has_value() != page.has_value())
        return false;
    if (!fast)
        return true;
    const auto tree = tree_decoded(text, max_depth);
    return tree && *tree == *fast && *page == *fast;
}

} // namespace ddb::test
