// Forwarding header: moved to <ddb/ops/transaction.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/ops/transaction.hpp>
#include <ddb/ops/raw.hpp>

namespace ddb {
using raw::transact_write; // the JSON form, ddb::raw's now
} // namespace ddb
