// Forwarding header: moved to <ddb/ops/paginator.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/ops/paginator.hpp>
