// Internal: the pooled transport's deadlines, without a system call per
// request.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace ddb::http::detail {

/// Asio re-arms the kernel timer (timerfd_settime) only when a new timer
/// becomes the earliest one. Deadlines are rounded up to a grid of
/// `grid_step`, and while requests flow a sentinel timer waits for the next
/// grid point, so no request's timer is ever the earliest. Costs a wake-up
/// per step while busy, none while idle; timeouts fire up to one step late.
class deadline_clock : public std::enable_shared_from_this<deadline_clock> {
public:
    using clock_type = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds grid_step{100};

    explicit deadline_clock(const boost::asio::any_io_executor& ex);

    /// The time to arm a stream's timer with for `deadline` (on the grid;
    /// `time_point::max()` stays "never"), starting the sentinel if needed.
    clock_type::time_point timeout_at(clock_type::time_point deadline);

    /// Stops the sentinel (the transport is going away).
    void stop();

    /// Counts an exchange that armed a timeout while it lives: the sentinel
    /// stops when none is left.
    class flight {
    public:
        explicit flight(deadline_clock& c)
            : n_(c.in_flight_) {
            ++n_;
        }
        ~flight() { --n_; }
        flight(const flight&) = delete;

    private:
        std::atomic<int>& n_;
    };

private:
    static clock_type::time_point on_grid(clock_type::time_point t);
    static boost::asio::awaitable<void> run_sentinel(std::shared_ptr<deadline_clock> self);

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    boost::asio::steady_timer sentinel_; // used on `strand_` only
    std::atomic<bool> sentinel_running_{false};
    std::atomic<int> in_flight_{0};
};

} // namespace ddb::http::detail
