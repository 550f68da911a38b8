#include <ddb/ops/paginator.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

namespace ddb {

namespace asio = boost::asio;
namespace json = boost::json;
using page_sink = generator<json::object>::sink;

namespace {

// Sends pages of one paginated operation into `out`.
asio::awaitable<void> produce_pages(client& c, std::string operation, json::object request,
                                    std::string token_in, std::string token_out,
                                    std::function<asio::awaitable<void>(json::object)> emit) {
    for (;;) {
        json::value answer = co_await c.call(operation, request);
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

generator<item> items_of(client& c, std::string operation, json::object request,
                         std::size_t prefetch) {
    return generator<item>(
        c.executor(),
        [&c, operation = std::move(operation),
         request = std::move(request)](generator<item>::sink& out) -> asio::awaitable<void> {
            auto emit = [&out](json::object page) -> asio::awaitable<void> {
                if (auto* items = page.if_contains("Items"); items && items->is_array()) {
                    auto& array = items->as_array();
                    // One hand-off per page; the items before a bad one still
                    // reach the consumer before its error.
                    std::vector<item> batch;
                    batch.reserve(array.size());
                    std::exception_ptr bad;
                    try {
                        for (std::size_t i = 0; i < array.size(); ++i)
                            batch.push_back(
                                item_from_json(array[i], "Items[" + std::to_string(i) + "]"));
                    } catch (...) {
                        bad = std::current_exception();
                    }
                    co_await out.push_batch(std::move(batch));
                    if (bad)
                        std::rethrow_exception(bad);
                }
            };
            co_await produce_pages(c, operation, request, "ExclusiveStartKey", "LastEvaluatedKey",
                                   emit);
        },
        prefetch);
}

// The typed pages of Query or Scan (`call` is the client member) into `emit`.
template <class Request, class Call, class Emit>
asio::awaitable<void> produce_typed(client& c, Request request, Call call, Emit& emit) {
    for (;;) {
        query_response page = co_await (c.*call)(request);
        item next = page.last_evaluated_key;
        co_await emit(std::move(page));
        if (next.empty())
            co_return;
        request.exclusive_start_key = std::move(next);
    }
}

template <class Request, class Call>
generator<query_response> typed_pages(client& c, Request request, Call call, std::size_t prefetch) {
    return generator<query_response>(
        c.executor(),
        [&c, request = std::move(request),
         call](generator<query_response>::sink& out) -> asio::awaitable<void> {
            auto emit = [&out](query_response page) -> asio::awaitable<void> {
                co_await out.push(std::move(page));
            };
            co_await produce_typed(c, request, call, emit);
        },
        prefetch);
}

template <class Request, class Call>
generator<item> typed_items(client& c, Request request, Call call, std::size_t prefetch) {
    return generator<item>(
        c.executor(),
        [&c, request = std::move(request),
         call](generator<item>::sink& out) -> asio::awaitable<void> {
            auto emit = [&out](query_response page) -> asio::awaitable<void> {
                co_await out.push_batch(std::move(page.items));
            };
            co_await produce_typed(c, request, call, emit);
        },
        prefetch);
}

} // namespace

generator<query_response> query_pages(client& c, query_request request, std::size_t prefetch) {
    return typed_pages(c, std::move(request), &client::query, prefetch);
}
generator<item> query_items(client& c, query_request request, std::size_t prefetch) {
    return typed_items(c, std::move(request), &client::query, prefetch);
}
generator<scan_response> scan_pages(client& c, scan_request request, std::size_t prefetch) {
    return typed_pages(c, std::move(request), &client::scan, prefetch);
}
generator<item> scan_items(client& c, scan_request request, std::size_t prefetch) {
    return typed_items(c, std::move(request), &client::scan, prefetch);
}

generator<scan_response> parallel_scan_pages(client& c, scan_request request, int segments,
                                             std::size_t prefetch) {
    if (segments < 1 || segments > 1000000)
        throw value_error(value_errc::invalid_json, "parallel scan needs 1 to 1000000 segments");
    return generator<scan_response>(
        c.executor(),
        [&c, request = std::move(request),
         segments](generator<scan_response>::sink& out) -> asio::awaitable<void> {
            auto emit = [&out](scan_response page) -> asio::awaitable<void> {
                co_await out.push(std::move(page));
            };
            std::function<asio::awaitable<void>(int)> from = [&](int i) -> asio::awaitable<void> {
                scan_request r = request;
                r.segment = i;
                r.total_segments = segments;
                if (i == segments - 1) {
                    co_await produce_typed(c, std::move(r), &client::scan, emit);
                } else {
                    using namespace asio::experimental::awaitable_operators;
                    auto mine = produce_typed(c, std::move(r), &client::scan, emit);
                    auto rest = from(i + 1);
                    co_await (std::move(mine) && std::move(rest));
                }
            };
            co_await from(0);
        },
        prefetch);
}

generator<std::string> table_names(client& c, list_tables_request request) {
    return generator<std::string>(
        c.executor(),
        [&c,
         request = std::move(request)](generator<std::string>::sink& out) -> asio::awaitable<void> {
            list_tables_request next = request;
            for (;;) {
                list_tables_response page = co_await c.list_tables(next);
                co_await out.push_batch(std::move(page.table_names));
                if (!page.last_evaluated_table_name)
                    co_return;
                next.exclusive_start_table_name = std::move(page.last_evaluated_table_name);
            }
        },
        1);
}

generator<json::object> paginate(client& c, std::string operation, json::object request,
                                 std::string token_in, std::string token_out,
                                 std::size_t prefetch) {
    return generator<json::object>(
        c.executor(),
        [&c, operation = std::move(operation), request = std::move(request),
         token_in = std::move(token_in),
         token_out = std::move(token_out)](page_sink& out) -> asio::awaitable<void> {
            auto emit = [&out](json::object page) -> asio::awaitable<void> {
                co_await out.push(std::move(page));
            };
            co_await produce_pages(c, operation, request, token_in, token_out, emit);
        },
        prefetch);
}

generator<json::object> query_pages(client& c, json::object request, std::size_t prefetch) {
    return paginate(c, "Query", std::move(request), "ExclusiveStartKey", "LastEvaluatedKey",
                    prefetch);
}

generator<json::object> scan_pages(client& c, json::object request, std::size_t prefetch) {
    return paginate(c, "Scan", std::move(request), "ExclusiveStartKey", "LastEvaluatedKey",
                    prefetch);
}

generator<item> query_items(client& c, json::object request, std::size_t prefetch) {
    return items_of(c, "Query", std::move(request), prefetch);
}

generator<item> scan_items(client& c, json::object request, std::size_t prefetch) {
    return items_of(c, "Scan", std::move(request), prefetch);
}

generator<json::object> parallel_scan_pages(client& c, json::object request, int segments,
                                            std::size_t prefetch) {
    if (segments < 1 || segments > 1000000)
        throw value_error(value_errc::invalid_json, "parallel scan needs 1 to 1000000 segments");
    return generator<json::object>(
        c.executor(),
        [&c, request = std::move(request), segments](page_sink& out) -> asio::awaitable<void> {
            auto emit = [&out](json::object page) -> asio::awaitable<void> {
                co_await out.push(std::move(page));
            };
            // Segments i..n-1 at once: seg(i) && rest(i+1), so one failure
            // cancels the others.
            std::function<asio::awaitable<void>(int)> from = [&](int i) -> asio::awaitable<void> {
                json::object r = request;
                r["Segment"] = i;
                r["TotalSegments"] = segments;
                if (i == segments - 1) {
                    co_await produce_pages(c, "Scan", std::move(r), "ExclusiveStartKey",
                                           "LastEvaluatedKey", emit);
                } else {
                    using namespace asio::experimental::awaitable_operators;
                    auto mine = produce_pages(c, "Scan", std::move(r), "ExclusiveStartKey",
                                              "LastEvaluatedKey", emit);
                    auto rest = from(i + 1);
                    co_await (std::move(mine) && std::move(rest));
                }
            };
            co_await from(0);
        },
        prefetch);
}

generator<std::string> table_names(client& c, json::object request) {
    return generator<std::string>(
        c.executor(),
        [&c,
         request = std::move(request)](generator<std::string>::sink& out) -> asio::awaitable<void> {
            auto emit = [&out](json::object page) -> asio::awaitable<void> {
                if (auto* names = page.if_contains("TableNames"); names && names->is_array()) {
                    std::vector<std::string> batch;
                    for (auto& n : names->as_array())
                        if (n.is_string())
                            batch.emplace_back(n.as_string());
                    co_await out.push_batch(std::move(batch));
                }
            };
            co_await produce_pages(c, "ListTables", request, "ExclusiveStartTableName",
                                   "LastEvaluatedTableName", emit);
        },
        1);
}

} // namespace ddb
