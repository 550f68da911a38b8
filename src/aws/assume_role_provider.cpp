#include <ddb/aws/assume_role_provider.hpp>

#include <ddb/core/config_error.hpp>

namespace ddb {

assume_role_provider::assume_role_provider(credentials_provider_ptr source, assume_role_params role,
                                           sts_settings sts)
    : source_(std::move(source))
    , role_(std::move(role))
    , sts_(std::move(sts)) {
    if (!source_)
        throw config_error(config_errc::invalid_setting, "assume_role_provider of role " +
                                                             role_.role_arn +
                                                             ": no source provider");
    // The settings are checked now, not at the first fetch: throws
    // config_error(invalid_setting) naming the field.
    validate(sts_);
    validate(role_);
}

boost::asio::awaitable<credentials> assume_role_provider::fetch() {
    // Copies first: nothing of *this is used after the first suspension.
    auto source = source_;
    auto role = role_;
    auto sts = sts_;
    credentials caller = co_await source->fetch();
    try {
        co_return co_await sts_assume_role(sts, caller, role);
    } catch (const sts_error& e) {
        // The source's session token expired: its cache (if any) must not
        // hand out the same credentials at the next fetch.
        if (e.code() == credentials_errc::expired_token)
            source->invalidate();
        throw;
    }
}

std::string assume_role_provider::name() const {
    return "assume-role " + role_.role_arn + " (from " + source_->name() + ")";
}

} // namespace ddb
