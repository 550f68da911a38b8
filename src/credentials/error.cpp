#include <ddb/core/error_category.hpp>
#include <ddb/credentials/error.hpp>

#include <iterator>

namespace ddb {

const boost::system::error_category& credentials_category() noexcept {
    static constexpr const char* messages[] = {
        "no credentials found", "malformed credentials",       "unsupported credential source",
        "profile not found",    "credentials provider failed",
    };
    static_assert(std::size(messages) ==
                  static_cast<std::size_t>(credentials_errc::provider_failed));
    static const detail::table_category instance("ddb.credentials", messages);
    return instance;
}

} // namespace ddb
