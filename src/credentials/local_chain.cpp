#include <ddb/credentials/environment_provider.hpp>
#include <ddb/credentials/local_chain.hpp>
#include <ddb/credentials/profile_provider.hpp>

namespace ddb {

std::vector<credentials_provider_ptr> local_credential_sources() {
    return {std::make_shared<environment_provider>(), std::make_shared<profile_provider>()};
}

credentials_provider_ptr make_local_credentials_chain() {
    return std::make_shared<caching_provider>(
        std::make_shared<chain_provider>(local_credential_sources()));
}

} // namespace ddb
