// Forwarding header: moved to <ddb/value/expression.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/value/expression.hpp>
