#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>

#include <iterator>

namespace ddb {

const boost::system::error_category& condition_category() noexcept {
    static constexpr const char* messages[] = {
        "conditional check failed",
        "transaction canceled",
        "transaction conflict",
        "throttled",
        "not found",
        "resource in use",
        "request refused as invalid",
        "invalid argument",
        "access denied",
        "no credentials",
        "timeout",
        "network failure",
        "bad response",
        "service failure",
        "concurrency conflict",
        "lease lost",
        "unexpected exception",
        "shard iterator expired",
        "trimmed data access",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(errc::trimmed_data_access));
    static const detail::table_category instance("ddb", messages);
    return instance;
}

} // namespace ddb
