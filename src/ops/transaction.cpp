#include <ddb/ops/transaction.hpp>
#include <ddb/value/error.hpp>

namespace ddb {

boost::asio::awaitable<boost::json::object>
transact_write(client& c, boost::json::array actions,
               std::optional<std::string> client_request_token) {
    if (actions.empty() || actions.size() > 100)
        throw value_error(value_errc::request_too_large,
                          "TransactWriteItems takes 1 to 100 actions, not " +
                              std::to_string(actions.size()));
    boost::json::value req = {{"TransactItems", std::move(actions)},
                              {"ClientRequestToken", client_request_token
                                                         ? *client_request_token
                                                         : random_request_token()}};
    auto answer = co_await c.call("TransactWriteItems", req);
    co_return std::move(answer.as_object());
}

} // namespace ddb
