#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/value/error.hpp>

#include <iterator>

namespace ddb {

const boost::system::error_category& value_category() noexcept {
    static constexpr const char* messages[] = {
        "invalid number",
        "number has more than 38 significant digits",
        "number out of DynamoDB's range",
        "NaN or infinite number",
        "empty set",
        "duplicate set member",
        "attribute value has another type",
        "invalid AttributeValue JSON",
        "invalid base64",
        "number does not fit the integer type",
        "attribute missing from the item",
        "string is not valid UTF-8",
        "invalid table name",
        "request exceeds DynamoDB's limits",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(value_errc::request_too_large));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
        ddb::errc::invalid_argument, ddb::errc::invalid_argument,
    };
    static const detail::table_category instance("ddb.value", messages, conditions);
    return instance;
}

} // namespace ddb
