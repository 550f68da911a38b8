#include <ddb/core/config_error.hpp>
#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>

#include <iterator>

namespace ddb {

const boost::system::error_category& config_category() noexcept {
    static constexpr const char* messages[] = {
        "no AWS region configured",
        "invalid AWS region name",
        "invalid endpoint URL",
        "invalid setting",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(config_errc::invalid_setting));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
    };
    static const detail::table_category instance("ddb.config", messages, conditions);
    return instance;
}

} // namespace ddb
