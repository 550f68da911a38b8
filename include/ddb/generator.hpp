// Forwarding header: moved to <ddb/ops/generator.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/ops/generator.hpp>
