// ddb — errors in attribute values, caught before anything is sent.
// Thread safety: exceptions and codes are immutable once built: safe to
// share between threads.
#pragma once

#include <ddb/core/error.hpp>

#include <type_traits>

namespace ddb {

/// Why a value is not a valid DynamoDB attribute value. Category "ddb.value".
enum class value_errc {
    /// Not a decimal number (optional sign, digits, optional fraction and exponent).
    invalid_number = 1,
    /// More than 38 significant digits.
    too_many_digits,
    /// Magnitude outside 1E-130 .. 9.9999999999999999999999999999999999999E+125.
    number_out_of_range,
    /// A NaN or infinite double.
    not_finite,
    /// A string, number or binary set without members.
    empty_set,
    /// A set with the same member twice (numbers compare by value: 1 == 1.0).
    duplicate_set_member,
    /// An accessor asked for another type than the value has.
    type_mismatch,
    /// JSON that is not a DynamoDB AttributeValue (wrong shape or type tag).
    invalid_json,
    /// A B or BS member that is not valid base64.
    invalid_base64,
    /// An integer accessor on a number that does not fit the integer type.
    number_not_representable,
    /// A struct member has no attribute in the item (and is not optional).
    missing_attribute,
    /// A string of a request (a value, an attribute name, an expression)
    /// that is not valid UTF-8: DynamoDB's JSON protocol cannot carry it.
    invalid_utf8,
    /// A table name that is not 3 to 255 of `a-z A-Z 0-9 _ - .` (nor a
    /// table ARN): DynamoDB would refuse it, and CR or LF never reach the wire.
    invalid_table_name,
    /// A transaction of 0 or over 100 actions, or whose items total over
    /// 4 MB (`max_transaction_size`).
    request_too_large,
};

const boost::system::error_category& value_category() noexcept;

inline error_code make_error_code(value_errc e) noexcept {
    return {static_cast<int>(e), value_category()};
}

/// Thrown for an invalid attribute value. The message names the attribute
/// path when one is known (e.g. `Item.events[2].amount`).
class value_error : public ddb::error {
public:
    value_error(value_errc e, const std::string& message)
        : ddb::error(make_error_code(e), message) {}
};

} // namespace ddb

template <>
struct boost::system::is_error_code_enum<ddb::value_errc> : std::true_type {};
