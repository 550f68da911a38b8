#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/credentials/error.hpp>

#include <iterator>

namespace ddb {

const boost::system::error_category& credentials_category() noexcept {
    static constexpr const char* messages[] = {
        "no credentials found", "malformed credentials",       "unsupported credential source",
        "profile not found",    "credentials provider failed", "access denied",
        "token expired",        "malformed request or policy", "SSO login required",
    };
    static_assert(std::size(messages) ==
                  static_cast<std::size_t>(credentials_errc::login_required));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::no_credentials, ddb::errc::no_credentials, ddb::errc::no_credentials,
        ddb::errc::no_credentials, ddb::errc::no_credentials, ddb::errc::access_denied,
        ddb::errc::no_credentials, ddb::errc::validation,     ddb::errc::no_credentials,
    };
    static const detail::table_category instance("ddb.credentials", messages, conditions);
    return instance;
}

} // namespace ddb
