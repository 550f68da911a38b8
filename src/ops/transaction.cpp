#include <ddb/ops/raw.hpp>
#include <ddb/ops/transaction.hpp>

namespace ddb {

boost::asio::awaitable<boost::json::object>
raw::transact_write(client& c, boost::json::array actions,
                    std::optional<std::string> client_request_token) {
    check_transaction_actions("TransactWriteItems", actions.size(), "actions");
    boost::json::value req = {{"TransactItems", std::move(actions)},
                              {"ClientRequestToken", client_request_token
                                                         ? *client_request_token
                                                         : random_request_token()}};
    auto answer = co_await c.call("TransactWriteItems", req);
    co_return std::move(answer.as_object());
}

} // namespace ddb
