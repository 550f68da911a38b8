// ddb — umbrella header of the credentials layer.
#pragma once

#include <ddb/credentials/caching_provider.hpp>
#include <ddb/credentials/chain_provider.hpp>
#include <ddb/credentials/credentials.hpp>
#include <ddb/credentials/environment_provider.hpp>
#include <ddb/credentials/error.hpp>
#include <ddb/credentials/local_chain.hpp>
#include <ddb/credentials/profile_file.hpp>
#include <ddb/credentials/profile_provider.hpp>
#include <ddb/credentials/provider.hpp>
#include <ddb/credentials/static_provider.hpp>
