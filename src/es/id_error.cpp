#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/es/id_error.hpp>

#include <iterator>

namespace ddb::es {

const boost::system::error_category& id_category() noexcept {
    static constexpr const char* messages[] = {
        "clock before the Unix epoch",
        "timestamp has more than 18 digits",
        "id would exceed the 64-bit integer range",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(id_errc::id_overflow));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
    };
    static const ddb::detail::table_category instance("ddb.es.id", messages, conditions);
    return instance;
}

} // namespace ddb::es
