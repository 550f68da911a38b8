// Forwarding header: moved to <ddb/core/type_traits.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/core/type_traits.hpp>
