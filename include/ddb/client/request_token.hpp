// ddb — idempotency tokens for TransactWriteItems.
#pragma once

#include <string>

namespace ddb {

/// A random ClientRequestToken (a version 4 UUID from the OS random source).
/// @throws value_error when the OS has no random bytes to give.
std::string random_request_token();

} // namespace ddb
