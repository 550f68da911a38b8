// Forwarding header: moved to <ddb/aws/container_provider.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/aws/container_provider.hpp>
