// Forwarding header: moved to <ddb/client/rate_limiter.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/client/rate_limiter.hpp>
