// ddb tests — helpers of the stream worker tests: a table with a stream,
// a log of what handlers saw (thread-safe), workers started in the
// background and waited for, polling with a deadline.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/es/stream_worker.hpp>
#include <ddb/ops/table_waiter.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ddb::es::test {

/// Creates table `name` (key pk S) with a NEW_AND_OLD_IMAGES stream; its ARN.
inline boost::asio::awaitable<std::string> create_streamed_table(client& c,
                                                                 const std::string& name) {
    create_table_request create;
    create.table_name = name;
    create.billing_mode = billing_mode::pay_per_request;
    create.attribute_definitions = {{"pk", scalar_attribute_type::s}};
    create.key_schema = {{"pk", key_type::hash}};
    create.stream_specification = stream_specification{true, stream_view_type::new_and_old_images};
    auto r = co_await c.create_table(create);
    co_await wait_until_table_active(c, name, std::chrono::seconds(10),
                                     std::chrono::milliseconds(10));
    if (!r.table_description.latest_stream_arn)
        throw std::runtime_error("no stream ARN for " + name);
    co_return *r.table_description.latest_stream_arn;
}

inline std::string label_of_arn(const std::string& arn) {
    return arn.substr(arn.rfind("/stream/") + 8);
}

/// Every record a handler saw: (who, shard, sequence number, key, n).
class handled_log {
public:
    struct entry {
        std::string who, shard, sequence_number, key;
        int n = -1;
    };

    stream_worker::handler handler(std::string who) {
        return [this, who](const stream_batch& b) -> boost::asio::awaitable<void> {
            add(who, b);
            co_return;
        };
    }
    void add(const std::string& who, const stream_batch& b) {
        std::lock_guard lock(m_);
        for (const auto& r : b.records) {
            entry e{who, b.shard_id, r.sequence_number, "", -1};
            if (auto k = r.keys.find("pk"); k != r.keys.end())
                e.key = k->second.as_s();
            if (r.new_image)
                if (auto n = r.new_image->find("n"); n != r.new_image->end())
                    e.n = n->second.as_n().as<int>();
            entries_.push_back(std::move(e));
        }
    }
    std::size_t size() const {
        std::lock_guard lock(m_);
        return entries_.size();
    }
    /// Distinct sequence numbers seen.
    std::size_t distinct() const {
        std::lock_guard lock(m_);
        std::set<std::string> s;
        for (const auto& e : entries_)
            s.insert(e.sequence_number);
        return s.size();
    }
    std::vector<entry> entries() const {
        std::lock_guard lock(m_);
        return entries_;
    }
    /// For each key, the first time each value was seen comes in increasing
    /// order of values (redeliveries repeat, never reorder).
    bool in_key_order() const {
        std::lock_guard lock(m_);
        std::map<std::string, int> highest;
        std::map<std::string, std::set<int>> seen;
        for (const auto& e : entries_) {
            if (seen[e.key].count(e.n))
                continue;
            auto h = highest.find(e.key);
            if (h != highest.end() && e.n < h->second)
                return false;
            highest[e.key] = e.n;
            seen[e.key].insert(e.n);
        }
        return true;
    }
    /// The values of `key` in the order seen.
    std::vector<int> values(const std::string& key) const {
        std::lock_guard lock(m_);
        std::vector<int> out;
        for (const auto& e : entries_)
            if (e.key == key)
                out.push_back(e.n);
        return out;
    }
    std::optional<std::string> last_sequence_number() const {
        std::lock_guard lock(m_);
        std::optional<std::string> best;
        for (const auto& e : entries_)
            if (!best || sequence_before(*best, e.sequence_number))
                best = e.sequence_number;
        return best;
    }

private:
    mutable std::mutex m_;
    std::vector<entry> entries_;
};

/// A worker's `run` in the background on the caller's executor.
struct running {
    struct shared {
        boost::asio::cancellation_signal signal;
        bool done = false;
        std::exception_ptr error;
    };
    std::shared_ptr<shared> s = std::make_shared<shared>();

    void cancel(boost::asio::cancellation_type t) { s->signal.emit(t); }
    /// Waits until `run` completed (polling).
    boost::asio::awaitable<void> wait() const {
        auto ex = co_await boost::asio::this_coro::executor;
        while (!s->done) {
            boost::asio::steady_timer t(ex, std::chrono::milliseconds(5));
            co_await t.async_wait(boost::asio::use_awaitable);
        }
    }
    /// The error `run` ended with (none: a clean stop).
    std::exception_ptr error() const { return s->error; }
};

inline running start_worker(stream_worker& w) {
    running r;
    boost::asio::co_spawn(
        w.get_executor(), w.run(),
        boost::asio::bind_cancellation_slot(r.s->signal.slot(), [s = r.s](std::exception_ptr e) {
            s->error = e;
            s->done = true;
        }));
    return r;
}

/// Polls `pred` every 10 ms until it holds; throws after `timeout`, or the
/// error of a worker of `watch` that ended with one.
template <class Pred>
boost::asio::awaitable<void> wait_until(Pred pred, std::chrono::milliseconds timeout,
                                        std::vector<running> watch = {}) {
    auto ex = co_await boost::asio::this_coro::executor;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        for (const auto& r : watch)
            if (r.s->done && r.s->error)
                std::rethrow_exception(r.s->error);
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("wait_until: timed out");
        boost::asio::steady_timer t(ex, std::chrono::milliseconds(10));
        co_await t.async_wait(boost::asio::use_awaitable);
    }
}

} // namespace ddb::es::test
