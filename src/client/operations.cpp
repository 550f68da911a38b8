// The typed operations of ddb::client: encode, call, decode in an arena.
#include <ddb/client/client.hpp>

#include <ddb/client/request_token.hpp>
#include <ddb/model/wire.hpp>

#include "detail/invoke.hpp"
#include "detail/state.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

namespace ddb {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

bool valid_table_name(std::string_view name) noexcept {
    if (name.size() < 3 || name.size() > 255)
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    return true;
}

// A table name, or a table's ARN (arn:<partition>:dynamodb:...:table/<name>).
void check_table_name(std::string_view operation, std::string_view name) {
    bool ok = valid_table_name(name);
    if (!ok && name.starts_with("arn:") && name.size() <= 1024) {
        auto slash = name.find(":table/");
        ok = slash != std::string_view::npos && valid_table_name(name.substr(slash + 7));
    }
    if (ok)
        return;
    std::string shown;
    for (char c : name.substr(0, 64))
        shown += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    throw value_error(value_errc::invalid_table_name,
                      std::string(operation) + ": invalid table name '" + shown +
                          (name.size() > 64 ? "...'" : "'") +
                          ": 3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.'");
}

// The table names of an encoded request: TableName, the keys of
// RequestItems, and the TableName of each TransactItems action.
void check_table_names(std::string_view operation, const json::object& body) {
    if (auto* t = body.if_contains("TableName"); t && t->is_string())
        check_table_name(operation, t->get_string());
    if (auto* r = body.if_contains("RequestItems"); r && r->is_object())
        for (const auto& kv : r->get_object())
            check_table_name(operation, kv.key());
    if (auto* a = body.if_contains("TransactItems"); a && a->is_array())
        for (const auto& action : a->get_array())
            if (action.is_object())
                for (const auto& kv : action.get_object())
                    if (kv.value().is_object())
                        check_table_names(operation, kv.value().get_object());
}

// Owns the request and the client's state for the whole call.
template <class Response, class Request>
asio::awaitable<Response> invoke(std::shared_ptr<detail::client_state> st,
                                 std::string_view operation, Request request) {
    return detail::invoke<Response>(std::move(st), operation, std::move(request),
                                    &check_table_names);
}

} // namespace

asio::awaitable<get_item_response> client::get_item(get_item_request r) {
    return invoke<get_item_response>(state_, "GetItem", std::move(r));
}
asio::awaitable<put_item_response> client::put_item(put_item_request r) {
    return invoke<put_item_response>(state_, "PutItem", std::move(r));
}
asio::awaitable<update_item_response> client::update_item(update_item_request r) {
    return invoke<update_item_response>(state_, "UpdateItem", std::move(r));
}
asio::awaitable<delete_item_response> client::delete_item(delete_item_request r) {
    return invoke<delete_item_response>(state_, "DeleteItem", std::move(r));
}
asio::awaitable<query_response> client::query(query_request r) {
    return invoke<query_response>(state_, "Query", std::move(r));
}
asio::awaitable<scan_response> client::scan(scan_request r) {
    return invoke<scan_response>(state_, "Scan", std::move(r));
}
asio::awaitable<batch_get_item_response> client::batch_get_item(batch_get_item_request r) {
    return invoke<batch_get_item_response>(state_, "BatchGetItem", std::move(r));
}
asio::awaitable<batch_write_item_response> client::batch_write_item(batch_write_item_request r) {
    return invoke<batch_write_item_response>(state_, "BatchWriteItem", std::move(r));
}
asio::awaitable<transact_get_items_response>
client::transact_get_items(transact_get_items_request r) {
    check_transaction_actions("TransactGetItems", r.transact_items.size(), "items");
    return invoke<transact_get_items_response>(state_, "TransactGetItems", std::move(r));
}
namespace {

// (A free coroutine, not a member one: a member coroutine keeps `this`,
// and the async forms call it on a handle that is gone before it runs.)
asio::awaitable<transact_write_items_response>
transact_write(std::shared_ptr<detail::client_state> st, transact_write_items_request r) {
    check_transaction_actions("TransactWriteItems", r.transact_items.size(), "actions");
    std::size_t bytes = 0; // the items put and the keys addressed
    for (std::size_t i = 0; i < r.transact_items.size(); ++i) {
        const auto& a = r.transact_items[i];
        int set = a.put.has_value() + a.update.has_value() + a.delete_.has_value() +
                  a.condition_check.has_value();
        if (set != 1)
            throw value_error(value_errc::invalid_json,
                              "TransactItems[" + std::to_string(i) +
                                  "] must have exactly one of put, update, delete_, "
                                  "condition_check");
        bytes += a.put       ? item_size(a.put->item)
                 : a.update  ? item_size(a.update->key)
                 : a.delete_ ? item_size(a.delete_->key)
                             : item_size(a.condition_check->key);
    }
    if (bytes > max_transaction_size)
        throw value_error(value_errc::request_too_large,
                          "TransactWriteItems items total " + std::to_string(bytes) +
                              " bytes, over the 4 MB limit (" +
                              std::to_string(max_transaction_size) + ")");
    if (!r.client_request_token || r.client_request_token->empty())
        r.client_request_token = random_request_token();
    co_return co_await invoke<transact_write_items_response>(std::move(st), "TransactWriteItems",
                                                             std::move(r));
}

} // namespace

asio::awaitable<transact_write_items_response>
client::transact_write_items(transact_write_items_request r) {
    return transact_write(state_, std::move(r));
}
asio::awaitable<create_table_response> client::create_table(create_table_request r) {
    return invoke<create_table_response>(state_, "CreateTable", std::move(r));
}
asio::awaitable<describe_table_response> client::describe_table(describe_table_request r) {
    return invoke<describe_table_response>(state_, "DescribeTable", std::move(r));
}
asio::awaitable<describe_table_response> client::describe_table(std::string table_name) {
    describe_table_request r{std::move(table_name)};
    return invoke<describe_table_response>(state_, "DescribeTable", std::move(r));
}
asio::awaitable<delete_table_response> client::delete_table(std::string table_name) {
    delete_table_request r{std::move(table_name)};
    return invoke<delete_table_response>(state_, "DeleteTable", std::move(r));
}
asio::awaitable<describe_time_to_live_response>
client::describe_time_to_live(std::string table_name) {
    describe_time_to_live_request r{std::move(table_name)};
    return invoke<describe_time_to_live_response>(state_, "DescribeTimeToLive", std::move(r));
}
asio::awaitable<update_table_response> client::update_table(update_table_request r) {
    return invoke<update_table_response>(state_, "UpdateTable", std::move(r));
}
asio::awaitable<delete_table_response> client::delete_table(delete_table_request r) {
    return invoke<delete_table_response>(state_, "DeleteTable", std::move(r));
}
asio::awaitable<list_tables_response> client::list_tables(list_tables_request r) {
    return invoke<list_tables_response>(state_, "ListTables", std::move(r));
}
asio::awaitable<update_time_to_live_response>
client::update_time_to_live(update_time_to_live_request r) {
    return invoke<update_time_to_live_response>(state_, "UpdateTimeToLive", std::move(r));
}
asio::awaitable<describe_time_to_live_response>
client::describe_time_to_live(describe_time_to_live_request r) {
    return invoke<describe_time_to_live_response>(state_, "DescribeTimeToLive", std::move(r));
}

} // namespace ddb
