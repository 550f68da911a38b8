// Forwarding header: moved to <ddb/value/attribute_value.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/value/attribute_value.hpp>
