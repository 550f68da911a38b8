// The Streams paginators: pages read one after the other while the answer
// has a continuation; what of each page reaches the consumer.
#include <ddb/ops/streams.hpp>

namespace ddb {

namespace asio = boost::asio;

namespace {

bool continue_after(const list_streams_response& page, list_streams_request& request) {
    if (!page.last_evaluated_stream_arn)
        return false;
    request.exclusive_start_stream_arn = page.last_evaluated_stream_arn;
    return true;
}

bool continue_after(const describe_stream_response& page, describe_stream_request& request) {
    if (!page.stream_description.last_evaluated_shard_id)
        return false;
    request.exclusive_start_shard_id = page.stream_description.last_evaluated_shard_id;
    return true;
}

asio::awaitable<list_streams_response> read(streams_client& c, list_streams_request r) {
    return c.list_streams(std::move(r));
}
asio::awaitable<describe_stream_response> read(streams_client& c, describe_stream_request r) {
    return c.describe_stream(std::move(r));
}

// The pages of `request`, each handed to `deliver(out, page)`. The
// generator's producer owns a handle sharing the caller's client.
template <class T, class Request, class Deliver>
generator<T> pages(streams_client& c, Request request, Deliver deliver) {
    auto ex = c.get_executor();
    return generator<T>(
        ex,
        [c = std::make_shared<streams_client>(c.share()), request = std::move(request),
         deliver](typename generator<T>::sink& out) mutable -> asio::awaitable<void> {
            for (;;) {
                auto page = co_await read(*c, request);
                const bool more = continue_after(page, request);
                co_await deliver(out, std::move(page));
                if (!more)
                    co_return;
            }
        });
}

} // namespace

generator<stream_summary> list_streams(streams_client& c, list_streams_request request) {
    return pages<stream_summary>(c, std::move(request),
                                 [](generator<stream_summary>::sink& out, list_streams_response p) {
                                     return out.push_batch(std::move(p.streams));
                                 });
}

generator<shard> stream_shards(streams_client& c, describe_stream_request request) {
    return pages<shard>(c, std::move(request),
                        [](generator<shard>::sink& out, describe_stream_response p) {
                            return out.push_batch(std::move(p.stream_description.shards));
                        });
}

generator<describe_stream_response> describe_stream_pages(streams_client& c,
                                                          describe_stream_request request) {
    return pages<describe_stream_response>(
        c, std::move(request),
        [](generator<describe_stream_response>::sink& out, describe_stream_response p) {
            return out.push(std::move(p));
        });
}

} // namespace ddb
