// Forwarding header: moved to <ddb/core/config_error.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/core/config_error.hpp>
