// Forwarding header: moved to <ddb/value/number.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/value/number.hpp>
