// ddb — the AWS environment layer: region, endpoint, the credential sources that need HTTP, the
// default chain.
#pragma once

#include <ddb/aws/container_provider.hpp>
#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/endpoint.hpp>
#include <ddb/aws/instance_metadata_provider.hpp>
#include <ddb/aws/region.hpp>
