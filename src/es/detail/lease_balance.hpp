// Internal: what the leased workers (projection_worker, stream_worker)
// share: the fair share of leases among the live workers, whether another
// worker is starved, where a worker starts looking for free leases, and two
// small coroutine helpers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>

#include <algorithm>

#include <chrono>
#include <cstddef>
#include <exception>
#include <string>
#include <vector>

namespace ddb::es::detail {

/// Of `items` leases among the `live` workers (`me` counted when absent):
/// `fair` = ceil(items / workers), the most a worker takes; `least` =
/// floor(items / workers), below which a worker is starved.
struct fair_share {
    std::size_t fair = 0;
    std::size_t least = 0;
};
fair_share share_of(std::size_t items, const std::vector<std::string>& live, const std::string& me);

/// Whether a live worker other than `me` holds fewer than `least` of the
/// valid leases, whose owners are `holders` (one entry per lease).
bool someone_starved(const std::vector<std::string>& live, const std::string& me, std::size_t least,
                     const std::vector<std::string>& holders);

/// How many leases a worker holding `active` keeps: above the fair share,
/// the extra goes back; at it, while another worker is starved, one goes.
std::size_t leases_to_keep(std::size_t active, const fair_share& share, bool starved);

/// Where `owner` starts scanning `items` leases, so that workers do not all
/// contend for the first.
std::size_t start_offset(const std::string& owner, std::size_t items);

/// Waits `d` on the current executor (cancellable).
boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d);

/// The message of an exception.
std::string what_of(const std::exception_ptr& e);

/// The task sets of the leased workers: maps of key to shared_ptr<Task>
/// where Task has `stop`, `waiting` (in its reader's next(): safe to
/// cancel), `done` and a `cancel` signal.

/// Asks a task to stop after its current step; a task waiting for input is
/// cancelled at once.
template <class Task>
void stop_task(Task& t) {
    t.stop = true;
    if (t.waiting)
        t.cancel.emit(boost::asio::cancellation_type::terminal);
}

/// Stops every task at once (terminal cancellation) and waits until all
/// ended; the set is then empty.
template <class Tasks>
boost::asio::awaitable<void> abandon_tasks(Tasks& tasks) {
    for (auto& [key, t] : tasks) {
        t->stop = true;
        if (!t->done)
            t->cancel.emit(boost::asio::cancellation_type::terminal);
    }
    while (!std::all_of(tasks.begin(), tasks.end(), [](const auto& kv) { return kv.second->done; }))
        co_await sleep_for(std::chrono::milliseconds(1));
    tasks.clear();
}

/// Asks every task to stop, cancelling those that reach a wait, and waits
/// up to 10 s for them to end (the caller then reaps them).
template <class Tasks>
boost::asio::awaitable<void> stop_tasks(Tasks& tasks) {
    for (auto& [key, t] : tasks)
        stop_task(*t);
    for (int i = 0; i < 1000; ++i) {
        bool all_done = true;
        for (auto& [key, t] : tasks) {
            all_done = all_done && t->done;
            if (!t->done && t->waiting)
                t->cancel.emit(boost::asio::cancellation_type::terminal);
        }
        if (all_done)
            co_return;
        co_await sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace ddb::es::detail
