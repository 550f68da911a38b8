// ddb — TransactWriteItems with an idempotency token.
//
// The transaction is `client::transact_write_items` (typed; a random
// `random_request_token()` by default, the same for all its retries), or
// `raw::transact_write` over DynamoDB JSON (<ddb/ops/raw.hpp>), each with
// an asynchronous form (`client::async_transact_write_items`,
// `raw::async_transact_write`). Cancellation (writes): terminal and partial
// abort the call, whose outcome is then unknown (all or nothing; the same
// token sent again within 10 minutes applies it at most once); total is
// ignored by the asynchronous forms.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/client/request_token.hpp>
