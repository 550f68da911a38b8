// Forwarding header: moved to <ddb/value/item.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/value/item.hpp>
