#include <ddb/credentials/static_provider.hpp>

namespace ddb {

static_provider::static_provider(credentials creds)
    : creds_(std::move(creds)) {
    if (creds_.source.empty())
        creds_.source = "static";
}

boost::asio::awaitable<credentials> static_provider::fetch() {
    if (creds_.access_key_id.empty() || creds_.secret_access_key.empty())
        throw credentials_error(credentials_errc::malformed,
                                "static credentials have an empty access key id or secret");
    co_return creds_;
}

} // namespace ddb
