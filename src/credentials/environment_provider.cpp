#include <ddb/credentials/environment_provider.hpp>

#include "../core/env.hpp"

namespace ddb {

credentials environment_provider::read() {
    auto id = detail::getenv_nonempty("AWS_ACCESS_KEY_ID");
    auto secret = detail::getenv_nonempty("AWS_SECRET_ACCESS_KEY");
    if (!id && !secret) {
        // Set but empty counts as unset; say so, it is easy to miss.
        std::string empty;
        for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
            if (detail::getenv_set_but_empty(name))
                empty += std::string(empty.empty() ? " (" : ", ") + name + " set but empty";
        throw credentials_error(credentials_errc::not_found,
                                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set" +
                                    (empty.empty() ? empty : empty + ")"));
    }
    if (!id)
        throw credentials_error(credentials_errc::malformed,
                                "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    if (!secret)
        throw credentials_error(credentials_errc::malformed,
                                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    credentials c;
    c.access_key_id = std::move(*id);
    c.secret_access_key = std::move(*secret);
    c.session_token = detail::getenv_nonempty("AWS_SESSION_TOKEN").value_or("");
    c.account_id = detail::getenv_nonempty("AWS_ACCOUNT_ID").value_or("");
    c.source = "environment";
    return c;
}

boost::asio::awaitable<credentials> environment_provider::fetch() {
    co_return read();
}

} // namespace ddb
