// Forwarding header: moved to <ddb/client/retry_policy.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/client/retry_policy.hpp>
