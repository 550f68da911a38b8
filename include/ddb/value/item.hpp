// ddb — an item: attribute names to values.
#pragma once

#include <ddb/value/attribute_value.hpp>

#include <boost/json/object.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

namespace ddb {

/// A DynamoDB item (also a key, or a map of expression values).
using item = attribute_value::map_type;

/// DynamoDB's maximum item size: 400 KB.
inline constexpr std::size_t max_item_size = 400 * 1024;

/// The item's size by DynamoDB's rules: for each attribute, the UTF-8 length
/// of its name plus `attribute_value::size()` of its value. Compare with
/// `max_item_size` to reject an item before sending it.
std::size_t item_size(const item& it);

/// {"name": AttributeValue JSON, ...}
boost::json::object to_json(const item& it);
/// Parses an item; errors name the attribute path under `path`.
item item_from_json(const boost::json::value& json, std::string_view path = "Item");

/// Decodes the "Items" of a Query or Scan answer given as JSON text. The
/// JSON DOM is built in a monotonic arena that is dropped as a whole once
/// the items are built (no per-node frees). Throws `value_error` naming
/// `Items[i].attribute` for invalid values, `invalid_json` for bad text.
std::vector<item> items_from_page(std::string_view page_json);

} // namespace ddb
