#include <ddb/ops/transaction.hpp>
#include <ddb/value/error.hpp>

#include <openssl/rand.h>

#include <array>
#include <cstdio>

namespace ddb {

std::string random_request_token() {
    std::array<unsigned char, 16> b{};
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
        throw value_error(value_errc::invalid_json, "no random bytes for a request token");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40); // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80); // variant 1
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
}

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
