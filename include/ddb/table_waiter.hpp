// Forwarding header: moved to <ddb/ops/table_waiter.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/ops/table_waiter.hpp>
