// ddb::es — errors of the event id generator.
#pragma once

#include <ddb/core/error.hpp>

#include <string>
#include <type_traits>

namespace ddb::es {

/// Why no id could be made. Category name: "ddb.es.id".
enum class id_errc {
    /// The timestamp provider returned 0 or a negative time: ids need a time
    /// after the Unix epoch.
    clock_before_epoch = 1,
    /// The timestamp provider returned more than 18 decimal digits, which
    /// leaves no room for the id's random digits.
    clock_out_of_range,
    /// The id would be larger than 9223372036854775807 (INT64_MAX), or the
    /// generator has already returned that value. Never a wrapped value.
    id_overflow,
};

const boost::system::error_category& id_category() noexcept;

inline error_code make_error_code(id_errc e) noexcept {
    return {static_cast<int>(e), id_category()};
}

/// Thrown by `timestamp_id_generator::next_id`. The message gives the
/// timestamp (or the last id) that made the id impossible.
class id_error : public ddb::error {
public:
    id_error(id_errc e, const std::string& message)
        : ddb::error(make_error_code(e), message) {}
};

} // namespace ddb::es

template <>
struct boost::system::is_error_code_enum<ddb::es::id_errc> : std::true_type {};
