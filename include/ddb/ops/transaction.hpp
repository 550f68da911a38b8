// ddb — TransactWriteItems with an idempotency token.
//
// The transaction is `client::transact_write_items` (typed; a random
// `random_request_token()` by default, the same for all its retries), or
// `raw::transact_write` over DynamoDB JSON (<ddb/ops/raw.hpp>).
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/client/request_token.hpp>
