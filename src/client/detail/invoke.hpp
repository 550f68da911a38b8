// Internal: one typed operation of a client (DynamoDB or DynamoDB Streams):
// encode, check, call through the send path, decode in an arena.
#pragma once

#include <ddb/client/errors.hpp>
#include <ddb/model/wire.hpp>

#include "state.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace ddb::detail {

/// Refuses a request before sending: `check(operation, encoded body)`
/// throws value_error.
using request_check = void (*)(std::string_view operation, const boost::json::object& body);

/// `request` encoded, checked, sent as `operation` with `st`'s service, and
/// the answer decoded into `Response`; a 200 answer lacking a required field
/// is `malformed_response` naming it. Owns the request and the state for
/// the whole call.
template <class Response, class Request>
boost::asio::awaitable<Response> invoke(std::shared_ptr<client_state> st,
                                        std::string_view operation, Request request,
                                        request_check check) {
    boost::json::object body;
    model::encode(request, body);
    check(operation, body);
    const std::string text = boost::json::serialize(body);
    // The answer's DOM lives in this arena and is dropped as a whole once
    // the typed response is built.
    unsigned char first_block[4096];
    boost::json::monotonic_resource arena(first_block, sizeof first_block);
    boost::json::value answer =
        co_await send_call(std::move(st), std::string(operation), text, {}, &arena, false);
    Response out;
    try {
        model::decode(answer, out);
    } catch (const model::wire_error& e) {
        service_error_info info;
        info.status = 200;
        info.type = "MalformedResponse";
        info.operation = std::string(operation);
        info.message = std::string(operation) +
                       " answer: " + (e.path.empty() ? std::string("body") : e.path) + ": " +
                       e.problem;
        throw malformed_response(std::move(info));
    }
    co_return out;
}

} // namespace ddb::detail
