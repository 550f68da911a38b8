// Forwarding header: moved to <ddb/core/saturating_time.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/core/saturating_time.hpp>
