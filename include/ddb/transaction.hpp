// Forwarding header: moved to <ddb/ops/transaction.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/ops/transaction.hpp>
