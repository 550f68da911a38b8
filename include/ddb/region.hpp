// Forwarding header: moved to <ddb/aws/region.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/aws/region.hpp>
