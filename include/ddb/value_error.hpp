// Forwarding header: moved to <ddb/value/error.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/value/error.hpp>
