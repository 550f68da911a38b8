// Forwarding header: moved to <ddb/aws/endpoint.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/aws/endpoint.hpp>
