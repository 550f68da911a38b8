#include <ddb/aws/container_provider.hpp>
#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/instance_metadata_provider.hpp>
#include <ddb/credentials/caching_provider.hpp>
#include <ddb/credentials/chain_provider.hpp>
#include <ddb/credentials/local_chain.hpp>

namespace ddb {

std::vector<credentials_provider_ptr> default_credential_sources() {
    auto sources = local_credential_sources();
    sources.push_back(std::make_shared<container_provider>());
    sources.push_back(std::make_shared<instance_metadata_provider>());
    return sources;
}

credentials_provider_ptr make_default_credentials_chain() {
    return std::make_shared<caching_provider>(
        std::make_shared<chain_provider>(default_credential_sources()));
}

} // namespace ddb
