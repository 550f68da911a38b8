// ddb — TransactWriteItems with an idempotency token.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/client/request_token.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace ddb {

/** TransactWriteItems of `actions` (Put, Update, Delete, ConditionCheck, as
    DynamoDB JSON), all or nothing, at most 100 actions.

    `client_request_token` makes the call idempotent: DynamoDB applies a
    token once within 10 minutes, so the client's own retries can never
    apply the transaction twice. Random by default; pass your own to be
    idempotent across your retries too.

    @throws transaction_canceled with one reason per action (and the item,
            when ReturnValuesOnConditionCheckFailure asked for it);
            value_error(request_too_large) for 0 or more than 100 actions. */
boost::asio::awaitable<boost::json::object>
transact_write(client& c, boost::json::array actions,
               std::optional<std::string> client_request_token = {});

} // namespace ddb
