#include <ddb/client/retry_policy.hpp>
#include <ddb/core/saturating_time.hpp>
#include <ddb/ops/batch.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <deque>
#include <set>

namespace ddb {

namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::size_t max_writes_per_call = 25;
constexpr std::size_t max_keys_per_call = 100;
constexpr std::size_t max_request_bytes = 16 * 1024 * 1024;

std::chrono::milliseconds backoff(const batch_options& o, int n) {
    return jittered_backoff(o.base_delay, o.max_delay, n, o.random ? o.random() : default_jitter());
}

// Key attribute names per table, from DescribeTable.
asio::awaitable<std::vector<std::string>> key_names(client& c, const std::string& table) {
    json::value req = {{"TableName", table}};
    auto d = co_await c.call("DescribeTable", req);
    std::vector<std::string> names;
    for (auto& k : d.at("Table").at("KeySchema").as_array())
        names.emplace_back(k.at("AttributeName").as_string());
    co_return names;
}

std::string key_text(const item& it, const std::vector<std::string>& names,
                     const std::string& table) {
    std::string s;
    for (auto& n : names) {
        auto found = it.find(n);
        if (found == it.end())
            throw value_error(value_errc::invalid_json,
                              "batch: an item for table " + table + " lacks key attribute " + n);
        s += n + "=" + json::serialize(found->second.to_json()) + ";";
    }
    return s;
}

json::object write_json(const write_request& r) {
    if (r.kind == write_request::put)
        return {{"PutRequest", json::object{{"Item", to_json(r.data)}}}};
    return {{"DeleteRequest", json::object{{"Key", to_json(r.data)}}}};
}

asio::awaitable<void> pause(std::chrono::milliseconds d) {
    if (d.count() <= 0)
        co_return;
    asio::steady_timer t(co_await asio::this_coro::executor,
                         detail::saturating_add(steady::now(), d));
    co_await t.async_wait(asio::use_awaitable);
}

// The loop both batch operations share: take a chunk, send it, put what
// came back unprocessed in front of the queue and wait (with backoff) before
// sending again, until the queue is empty or the deadline is near. `send`
// returns the unprocessed part of its chunk or throws.
template <class Request, class Result, class Take, class Send>
asio::awaitable<void> redrive(std::deque<Request>& pending, const batch_options& options,
                              Result& result, Take take, Send send) {
    const auto deadline = detail::saturating_add(steady::now(), options.deadline);
    int round = 0;
    while (!pending.empty()) {
        std::vector<Request> chunk = take(pending);
        ++result.calls;
        if (round > 0)
            ++result.redrives;
        std::vector<Request> unprocessed;
        std::string failure;
        try {
            unprocessed = co_await send(chunk);
        } catch (const ddb::error& e) {
            failure = e.what();
        }
        if (!failure.empty()) { // the call failed as a whole, after the client's retries
            for (auto& r : chunk)
                result.failed.push_back({std::move(r), failure});
            continue;
        }
        if (unprocessed.empty()) {
            round = 0;
            continue;
        }
        auto delay = backoff(options, round++);
        if (detail::saturating_add(steady::now(), delay) >= deadline) {
            for (auto& r : unprocessed)
                result.failed.push_back({std::move(r), "unprocessed at the deadline"});
            for (auto& r : pending)
                result.failed.push_back({std::move(r), "not sent before the deadline"});
            pending.clear();
            break;
        }
        for (auto it = unprocessed.rbegin(); it != unprocessed.rend(); ++it)
            pending.push_front(std::move(*it));
        co_await pause(delay);
    }
}

} // namespace

asio::awaitable<batch_write_result> batch_write(client& caller, std::vector<write_request> requests,
                                                batch_options options) {
    client c = caller.share(); // whatever happens to the caller's object
    batch_write_result result;
    // Duplicate keys: refused before anything is sent.
    {
        std::map<std::string, std::vector<std::string>> schemas;
        std::set<std::string> seen;
        for (auto& r : requests) {
            auto found = schemas.find(r.table);
            if (found == schemas.end()) {
                auto names =
                    co_await key_names(c, r.table); // (a named local: see README on GCC 12)
                found = schemas.emplace(r.table, std::move(names)).first;
            }
            std::string key = r.table + "|" + key_text(r.data, found->second, r.table);
            if (!seen.insert(key).second)
                throw value_error(value_errc::duplicate_set_member,
                                  "batch_write: two requests for the same key in table " + r.table);
        }
    }
    std::deque<write_request> pending(std::make_move_iterator(requests.begin()),
                                      std::make_move_iterator(requests.end()));
    auto take = [](std::deque<write_request>& queue) { // up to 25 requests and 16 MB
        std::vector<write_request> chunk;
        std::size_t bytes = 0;
        while (!queue.empty() && chunk.size() < max_writes_per_call) {
            std::size_t size = json::serialize(write_json(queue.front())).size();
            if (!chunk.empty() && bytes + size > max_request_bytes)
                break;
            bytes += size;
            chunk.push_back(std::move(queue.front()));
            queue.pop_front();
        }
        return chunk;
    };
    auto send = [&c, &result](const std::vector<write_request>& chunk)
        -> asio::awaitable<std::vector<write_request>> {
        json::object tables;
        for (auto& r : chunk) {
            auto& list = tables[r.table];
            if (!list.is_array())
                list = json::array{};
            list.as_array().push_back(write_json(r));
        }
        json::value req = {{"RequestItems", std::move(tables)}};
        auto answer = co_await c.call("BatchWriteItem", req);
        std::vector<write_request> unprocessed;
        if (auto* u = answer.as_object().if_contains("UnprocessedItems"); u && u->is_object())
            for (auto& [table, list] : u->as_object())
                for (auto& w : list.as_array()) {
                    auto& o = w.as_object();
                    if (auto* put = o.if_contains("PutRequest"))
                        unprocessed.push_back(write_request::put_item(
                            std::string(table), item_from_json(put->at("Item"))));
                    else if (auto* del = o.if_contains("DeleteRequest"))
                        unprocessed.push_back(write_request::delete_item(
                            std::string(table), item_from_json(del->at("Key"), "Key")));
                }
        result.written += chunk.size() - unprocessed.size();
        co_return unprocessed;
    };
    co_await redrive(pending, options, result, take, send);
    co_return result;
}

asio::awaitable<batch_get_result> batch_get(client& caller, std::vector<get_request> keys,
                                            batch_options options) {
    client c = caller.share(); // whatever happens to the caller's object
    batch_get_result result;
    {
        std::set<std::string> seen;
        for (auto& k : keys) {
            std::string text = k.table + "|" + json::serialize(to_json(k.key));
            if (!seen.insert(text).second)
                throw value_error(value_errc::duplicate_set_member,
                                  "batch_get: the same key twice for table " + k.table);
        }
    }
    std::deque<get_request> pending(std::make_move_iterator(keys.begin()),
                                    std::make_move_iterator(keys.end()));
    auto take = [](std::deque<get_request>& queue) { // up to 100 keys
        std::vector<get_request> chunk;
        while (!queue.empty() && chunk.size() < max_keys_per_call) {
            chunk.push_back(std::move(queue.front()));
            queue.pop_front();
        }
        return chunk;
    };
    auto send =
        [&c, &result, &options](
            const std::vector<get_request>& chunk) -> asio::awaitable<std::vector<get_request>> {
        json::object tables;
        for (auto& k : chunk) {
            auto& t = tables[k.table];
            if (!t.is_object())
                t = json::object{{"Keys", json::array{}},
                                 {"ConsistentRead", options.consistent_read}};
            t.as_object()["Keys"].as_array().push_back(to_json(k.key));
        }
        json::value req = {{"RequestItems", std::move(tables)}};
        auto answer = co_await c.call("BatchGetItem", req);
        auto& o = answer.as_object();
        if (auto* r = o.if_contains("Responses"); r && r->is_object())
            for (auto& [table, list] : r->as_object())
                for (auto& v : list.as_array())
                    result.items[std::string(table)].push_back(item_from_json(v));
        std::vector<get_request> unprocessed;
        if (auto* u = o.if_contains("UnprocessedKeys"); u && u->is_object())
            for (auto& [table, spec] : u->as_object())
                for (auto& k : spec.at("Keys").as_array())
                    unprocessed.push_back({std::string(table), item_from_json(k, "Key")});
        co_return unprocessed;
    };
    co_await redrive(pending, options, result, take, send);
    co_return result;
}

} // namespace ddb
