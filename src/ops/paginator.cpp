// The paginators of both families (typed and raw) in three parts: how a
// family reads the pages of one request (`typed_pages`, `json_pages`), how
// requests are read (`sequential`, or `segmented` for a parallel scan), and
// what of each page reaches the consumer (the deliverers).
#include <ddb/ops/paginator.hpp>
#include <ddb/ops/raw.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <functional>

namespace ddb {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The generator of T whose producer is `produce(emit)`; each page the
// producer passes to `emit` reaches the consumer through `deliver(out, page)`.
template <class T, class Produce, class Deliver>
generator<T> page_generator(client& c, std::size_t prefetch, Produce produce, Deliver deliver) {
    return generator<T>(
        c.executor(),
        [produce = std::move(produce),
         deliver = std::move(deliver)](typename generator<T>::sink& out) -> asio::awaitable<void> {
            auto emit = [&out, &deliver](auto page) { return deliver(out, std::move(page)); };
            co_await produce(emit);
        },
        prefetch);
}

/// \name Reading the pages of one request
/// @{

// Sets where the page after `page` starts in `request`; false after the last.
template <class Request>
bool continue_after(const query_response& page, Request& request) {
    if (page.last_evaluated_key.empty())
        return false;
    request.exclusive_start_key = page.last_evaluated_key;
    return true;
}

bool continue_after(const list_tables_response& page, list_tables_request& request) {
    if (!page.last_evaluated_table_name)
        return false;
    request.exclusive_start_table_name = page.last_evaluated_table_name;
    return true;
}

// The typed pages of `request` (`call` is the client member) into `emit`.
template <class Request, class Call, class Emit>
asio::awaitable<void> produce_typed(std::shared_ptr<client> c, Request request, Call call,
                                    Emit& emit) {
    for (;;) {
        auto page = co_await ((*c).*call)(request);
        bool more = continue_after(page, request);
        co_await emit(std::move(page));
        if (!more)
            co_return;
    }
}

// The JSON answers of `operation` into `emit`, while they have `token_out`.
template <class Emit>
asio::awaitable<void> produce_json(std::shared_ptr<client> c, std::string operation,
                                   json::object request, std::string token_in,
                                   std::string token_out, Emit& emit) {
    for (;;) {
        json::value answer = co_await c->call(operation, request);
        if (!answer.is_object())
            co_return;
        json::object page = std::move(answer.as_object());
        json::value* token = page.if_contains(token_out);
        std::optional<json::value> next;
        if (token && !token->is_null())
            next = *token;
        co_await emit(std::move(page));
        if (!next)
            co_return;
        request[token_in] = std::move(*next);
    }
}

// The pages use a handle sharing the caller's client (<ddb/client/client.hpp>
// `share`): the generator may outlive the caller's client object.
template <class Call>
auto typed_pages(client& c, Call call) {
    return [c = std::make_shared<client>(c.share()), call](auto request, auto& emit) {
        return produce_typed(c, std::move(request), call, emit);
    };
}

auto json_pages(client& c, std::string operation, std::string token_in, std::string token_out) {
    return [c = std::make_shared<client>(c.share()), operation = std::move(operation),
            token_in = std::move(token_in),
            token_out = std::move(token_out)](json::object request, auto& emit) {
        return produce_json(c, operation, std::move(request), token_in, token_out, emit);
    };
}

auto json_query_scan(client& c, std::string operation) {
    return json_pages(c, std::move(operation), "ExclusiveStartKey", "LastEvaluatedKey");
}
/// @}

/// \name Reading requests
/// @{

// Reads `request` with `pages`.
template <class Request, class Pages>
auto sequential(Request request, Pages pages) {
    return [request = std::move(request), pages](auto& emit) { return pages(request, emit); };
}

scan_request segment_of(scan_request r, int i, int segments) {
    r.segment = i;
    r.total_segments = segments;
    return r;
}

json::object segment_of(json::object r, int i, int segments) {
    r["Segment"] = i;
    r["TotalSegments"] = segments;
    return r;
}

// Reads segments 0..n-1 of `request` at once with `pages`, as
// segment(i) && rest(i + 1), so that one failure cancels the others.
template <class Request, class Pages>
auto segmented(Request request, int segments, Pages pages) {
    if (segments < 1 || segments > 1000000)
        throw value_error(value_errc::invalid_json, "parallel scan needs 1 to 1000000 segments");
    return [request = std::move(request), segments, pages](auto& emit) -> asio::awaitable<void> {
        std::function<asio::awaitable<void>(int)> from = [&](int i) -> asio::awaitable<void> {
            auto mine = pages(segment_of(request, i, segments), emit);
            if (i == segments - 1) {
                co_await std::move(mine);
            } else {
                using namespace asio::experimental::awaitable_operators;
                auto rest = from(i + 1);
                co_await (std::move(mine) && std::move(rest));
            }
        };
        co_await from(0);
    };
}
/// @}

/// \name What reaches the consumer
/// @{

// Every page as it is.
const auto whole_pages = [](auto& out, auto page) { return out.push(std::move(page)); };

// The items of a typed page, in one hand-off.
const auto typed_items = [](generator<item>::sink& out, query_response page) {
    return out.push_batch(std::move(page.items));
};

// The decoded items of a JSON page, in one hand-off; the items before a bad
// one still reach the consumer before its error.
const auto json_items = [](generator<item>::sink& out, json::object page) -> asio::awaitable<void> {
    auto* items = page.if_contains("Items");
    if (!items || !items->is_array())
        co_return;
    auto& array = items->as_array();
    std::vector<item> batch;
    batch.reserve(array.size());
    std::exception_ptr bad;
    try {
        for (std::size_t i = 0; i < array.size(); ++i)
            batch.push_back(item_from_json(array[i], "Items[" + std::to_string(i) + "]"));
    } catch (...) {
        bad = std::current_exception();
    }
    co_await out.push_batch(std::move(batch));
    if (bad)
        std::rethrow_exception(bad);
};

const auto typed_table_names = [](generator<std::string>::sink& out, list_tables_response page) {
    return out.push_batch(std::move(page.table_names));
};

const auto json_table_names = [](generator<std::string>::sink& out, json::object page) {
    std::vector<std::string> batch;
    if (auto* names = page.if_contains("TableNames"); names && names->is_array())
        for (auto& n : names->as_array())
            if (n.is_string())
                batch.emplace_back(n.as_string());
    return out.push_batch(std::move(batch));
};
/// @}

} // namespace

generator<query_response> query_pages(client& c, query_request request, std::size_t prefetch) {
    return page_generator<query_response>(
        c, prefetch, sequential(std::move(request), typed_pages(c, &client::query)), whole_pages);
}
generator<item> query_items(client& c, query_request request, std::size_t prefetch) {
    return page_generator<item>(
        c, prefetch, sequential(std::move(request), typed_pages(c, &client::query)), typed_items);
}
generator<scan_response> scan_pages(client& c, scan_request request, std::size_t prefetch) {
    return page_generator<scan_response>(
        c, prefetch, sequential(std::move(request), typed_pages(c, &client::scan)), whole_pages);
}
generator<item> scan_items(client& c, scan_request request, std::size_t prefetch) {
    return page_generator<item>(
        c, prefetch, sequential(std::move(request), typed_pages(c, &client::scan)), typed_items);
}
generator<scan_response> parallel_scan_pages(client& c, scan_request request, int segments,
                                             std::size_t prefetch) {
    return page_generator<scan_response>(
        c, prefetch, segmented(std::move(request), segments, typed_pages(c, &client::scan)),
        whole_pages);
}
generator<std::string> table_names(client& c, list_tables_request request) {
    return page_generator<std::string>(
        c, 1, sequential(std::move(request), typed_pages(c, &client::list_tables)),
        typed_table_names);
}

namespace raw {

generator<json::object> paginate(client& c, std::string operation, json::object request,
                                 std::string token_in, std::string token_out,
                                 std::size_t prefetch) {
    auto pages = json_pages(c, std::move(operation), std::move(token_in), std::move(token_out));
    return page_generator<json::object>(c, prefetch, sequential(std::move(request), pages),
                                        whole_pages);
}
generator<json::object> query_pages(client& c, json::object request, std::size_t prefetch) {
    return page_generator<json::object>(
        c, prefetch, sequential(std::move(request), json_query_scan(c, "Query")), whole_pages);
}
generator<json::object> scan_pages(client& c, json::object request, std::size_t prefetch) {
    return page_generator<json::object>(
        c, prefetch, sequential(std::move(request), json_query_scan(c, "Scan")), whole_pages);
}
generator<item> query_items(client& c, json::object request, std::size_t prefetch) {
    return page_generator<item>(
        c, prefetch, sequential(std::move(request), json_query_scan(c, "Query")), json_items);
}
generator<item> scan_items(client& c, json::object request, std::size_t prefetch) {
    return page_generator<item>(
        c, prefetch, sequential(std::move(request), json_query_scan(c, "Scan")), json_items);
}
generator<json::object> parallel_scan_pages(client& c, json::object request, int segments,
                                            std::size_t prefetch) {
    return page_generator<json::object>(
        c, prefetch, segmented(std::move(request), segments, json_query_scan(c, "Scan")),
        whole_pages);
}
generator<std::string> table_names(client& c, json::object request) {
    auto pages = json_pages(c, "ListTables", "ExclusiveStartTableName", "LastEvaluatedTableName");
    return page_generator<std::string>(c, 1, sequential(std::move(request), pages),
                                       json_table_names);
}

} // namespace raw

} // namespace ddb
