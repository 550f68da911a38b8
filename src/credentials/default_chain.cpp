#include <ddb/credentials/default_chain.hpp>
#include <ddb/credentials/environment_provider.hpp>
#include <ddb/credentials/profile_provider.hpp>

namespace ddb {

std::vector<credentials_provider_ptr> default_credential_sources() {
    return {std::make_shared<environment_provider>(), std::make_shared<profile_provider>()};
}

credentials_provider_ptr make_default_credentials_chain() {
    return std::make_shared<caching_provider>(
        std::make_shared<chain_provider>(default_credential_sources()));
}

} // namespace ddb
