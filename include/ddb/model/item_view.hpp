// ddb — a read-only view of an item decoded by `get_records_page`: names
// and values point into the page's text or its arena, no allocation per
// attribute. `to_item()` gives the owning `ddb::item`.
// Thread safety: views are read-only; distinct and shared objects: safe to
// read concurrently while the page that made them lives.
#pragma once

#include <ddb/value/attribute_value.hpp>
#include <ddb/value/item.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ddb {

namespace model_detail {
struct view_maker; // src/model/detail/get_records_page_parser.cpp
}

class item_view;

/// One attribute of an item_view (or an element of a list, a member of a
/// set): its name, type and value, validated as `attribute_value` validates
/// them. Valid while the page that made it lives (moving the page keeps it
/// valid). Accessors throw `value_errc::type_mismatch` for another type.
class attribute_view {
public:
    using kind = attribute_value::kind;

    kind type() const noexcept { return static_cast<kind>(type_); }
    /// "S", "N", ... as on the wire.
    std::string_view type_name() const noexcept;
    /// The attribute's name in its map; empty for list elements and set members.
    std::string_view name() const noexcept { return {name_, name_size_}; }

    std::string_view as_s() const { return text(kind::S); }
    /// The number's text as sent (a valid DynamoDB number).
    std::string_view as_n() const { return text(kind::N); }
    /// The decoded bytes.
    std::span<const std::uint8_t> as_b() const;
    bool as_bool() const;
    bool is_null() const noexcept { return type() == kind::NULL_; }
    item_view as_m() const;
    std::span<const attribute_view> as_l() const { return children(kind::L); }
    /// An SS, NS or BS's members (each an S, N or B view), in the answer's order.
    std::span<const attribute_view> members() const;

    /// The owning value (allocates).
    attribute_value to_value() const;

private:
    friend struct model_detail::view_maker;
    std::string_view text(kind k) const;
    std::span<const attribute_view> children(kind k) const;
    void check(kind k) const;

    const char* name_ = nullptr;
    const void* data_ = nullptr; // text, bytes or the first child
    std::uint32_t name_size_ = 0;
    std::uint32_t size_ = 0; // bytes or children
    std::uint8_t type_ = 8;  // kind::NULL_
    bool flag_ = false;      // BOOL's value
};

/// An item (keys, an image, an M value) as views, in the answer's order.
/// Names are unique (a page with a duplicate name is refused, as by the tree
/// decoder).
class item_view {
public:
    using iterator = const attribute_view*;

    item_view() = default;
    explicit item_view(std::span<const attribute_view> attributes) noexcept
        : attrs_(attributes) {}

    iterator begin() const noexcept { return attrs_.data(); }
    iterator end() const noexcept { return attrs_.data() + attrs_.size(); }
    std::size_t size() const noexcept { return attrs_.size(); }
    bool empty() const noexcept { return attrs_.empty(); }
    /// The attribute named `name`, or null (a linear search: items are small).
    const attribute_view* find(std::string_view name) const noexcept;
    /// The owning item (allocates).
    item to_item() const;

private:
    std::span<const attribute_view> attrs_;
};

} // namespace ddb
