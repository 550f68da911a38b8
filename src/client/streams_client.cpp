// ddb::streams_client: the client's state and send path for DynamoDB Streams
// (its own target prefix and endpoint rules; src/client/detail/service.hpp).
#include <ddb/client/streams_client.hpp>
#include <ddb/credentials/profile_file.hpp>

#include "detail/invoke.hpp"
#include "detail/state.hpp"

#include <boost/json/serialize.hpp>

namespace ddb {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Streams requests carry ARNs, shard ids and iterators, which DynamoDB
// checks itself (ValidationException); JSON escapes anything in them.
void no_check(std::string_view, const json::object&) {}

template <class Response, class Request>
asio::awaitable<Response> invoke(std::shared_ptr<detail::client_state> st,
                                 std::string_view operation, Request request,
                                 detail::text_decoder<Response> fast = nullptr) {
    return detail::invoke<Response>(std::move(st), operation, std::move(request), &no_check, fast);
}

// GetRecords into a page: decoded from the text by the page decoder; an
// answer it leaves (malformed or unusual) goes the tree path of `invoke`,
// with its errors, and the page is made from the records.
asio::awaitable<get_records_page> page_call(std::shared_ptr<detail::client_state> st,
                                            get_records_request request) {
    json::object body;
    model::encode(request, body);
    const std::string text = json::serialize(body);
    get_records_page page;
    detail::body_decoder from_text = [&page](std::string_view answer) {
        return model::decode_page(answer, page, max_response_depth);
    };
    unsigned char first_block[4096];
    json::monotonic_resource arena(first_block, sizeof first_block);
    const std::string operation = "GetRecords";
    json::value answer =
        co_await detail::send_call(std::move(st), operation, text, {}, &arena, false, &from_text);
    if (answer.is_null())
        co_return page;
    get_records_response out;
    try {
        model::decode(answer, out);
    } catch (const model::wire_error& e) {
        service_error_info info;
        info.status = 200;
        info.type = "MalformedResponse";
        info.operation = operation;
        info.message = operation + " answer: " + (e.path.empty() ? std::string("body") : e.path) +
                       ": " + e.problem;
        throw malformed_response(std::move(info));
    }
    co_return model::page_of(std::move(out));
}

} // namespace

streams_client::streams_client(executor_type ex, client_config config) {
    lazy_profile_set files;
    state_ = std::make_shared<detail::client_state>(std::move(ex), std::move(config), files,
                                                    detail::dynamodb_streams_descriptor());
}

streams_client::streams_client(std::shared_ptr<detail::client_state> st) noexcept
    : state_(std::move(st)) {}

streams_client::~streams_client() = default;
streams_client::streams_client(streams_client&&) noexcept = default;
streams_client& streams_client::operator=(streams_client&&) noexcept = default;

streams_client::executor_type streams_client::get_executor() const noexcept {
    return state_->ex;
}
const std::string& streams_client::region() const noexcept {
    return state_->region;
}
const ddb::endpoint& streams_client::endpoint() const noexcept {
    return state_->endpoints.base().where.endpoint;
}
const credentials_provider_ptr& streams_client::credential_source() const noexcept {
    return state_->creds;
}
std::string streams_client::describe_endpoint() const {
    return state_->endpoints.describe();
}
http::pool_stats streams_client::pool_stats() const {
    return state_->transport->stats(state_->endpoints.base().origin);
}
const retry_policy& streams_client::retries() const noexcept {
    return state_->retries;
}

asio::awaitable<json::value> streams_client::call(std::string operation,
                                                  const json::value& request) {
    return detail::send_call(state_, std::move(operation), {}, json::serialize(request), {}, true);
}

asio::awaitable<list_streams_response> streams_client::list_streams(list_streams_request r) {
    return invoke<list_streams_response>(state_, "ListStreams", std::move(r));
}
asio::awaitable<describe_stream_response>
streams_client::describe_stream(describe_stream_request r) {
    return invoke<describe_stream_response>(state_, "DescribeStream", std::move(r));
}
asio::awaitable<get_shard_iterator_response>
streams_client::get_shard_iterator(get_shard_iterator_request r) {
    return invoke<get_shard_iterator_response>(state_, "GetShardIterator", std::move(r));
}
asio::awaitable<get_records_response> streams_client::get_records(get_records_request r) {
    // Pages of up to 1,000 records: decoded from the text, without the tree.
    return invoke<get_records_response>(state_, "GetRecords", std::move(r), &model::decode_text);
}

asio::awaitable<get_records_page> streams_client::get_records_page(get_records_request r) {
    return page_call(state_, std::move(r));
}

} // namespace ddb
