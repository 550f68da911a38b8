// Forwarding header: moved to <ddb/client/config.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/client/config.hpp>
