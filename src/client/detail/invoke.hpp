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

/// Decodes a Response straight from the answer's text (no JSON tree);
/// false when it leaves that to the tree decoder (`model::decode_text`).
template <class Response>
using text_decoder = bool (*)(std::string_view text, Response& out, unsigned max_depth);

/// `request` encoded, checked, sent as `operation` with `st`'s service, and
/// the answer decoded into `Response` (by `fast` when given and it can, else
/// from the JSON tree); a 200 answer lacking a required field is
/// `malformed_response` naming it. Owns the request and the state for the
/// whole call.
template <class Response, class Request>
boost::asio::awaitable<Response>
invoke(std::shared_ptr<client_state> st, std::string_view operation, Request request,
       request_check check, text_decoder<Response> fast = nullptr) {
    boost::json::object body;
    model::encode(request, body);
    check(operation, body);
    const std::string text = boost::json::serialize(body);
    Response out;
    body_decoder from_text;
    if (fast)
        from_text = [&out, fast](std::string_view answer_text) {
            return fast(answer_text, out, max_response_depth);
        };
    // The answer's DOM (when one is built) lives in this arena and is
    // dropped as a whole once the typed response is built.
    unsigned char first_block[4096];
    boost::json::monotonic_resource arena(first_block, sizeof first_block);
    boost::json::value answer = co_await send_call(std::move(st), std::string(operation), text, {},
                                                   &arena, false, fast ? &from_text : nullptr);
    if (answer.is_null())
        co_return out; // decoded from the text
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
