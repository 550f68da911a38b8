// Forwarding header: moved to <ddb/aws/instance_metadata_provider.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/aws/instance_metadata_provider.hpp>
