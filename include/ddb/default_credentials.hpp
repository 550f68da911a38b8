// Forwarding header: moved to <ddb/aws/default_credentials.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/aws/default_credentials.hpp>
