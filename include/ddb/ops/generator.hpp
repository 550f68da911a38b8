// ddb — the asynchronous generator every paginated read returns.
//
// Why this type: with Boost 1.81, `asio::experimental::coro` cannot simply
// `co_await` an `asio::awaitable` (the client's operations), so a coro-based
// generator would need a bridge that does not compile there. A producer
// written as an ordinary `asio::awaitable` coroutine that feeds an
// `experimental::concurrent_channel` works with every ddb operation, and the
// channel gives the rest for free: its capacity is the prefetch (the next
// page is being fetched while the caller works on the current one), closing
// it stops the producer, and the producer's cancellation slot aborts its
// request in flight. One type for the whole library: `generator<T>`.
//
//   auto pages = ddb::query_pages(client, request);
//   while (auto page = co_await pages.next()) use(*page);
#pragma once

#include <ddb/core/async_run.hpp>
#include <ddb/core/diagnostics.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/channel_error.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace ddb {

/** A sequence of `T` produced asynchronously, consumed with
    `co_await gen.next()` (empty optional at the end). Move-only. Destroying
    it (or calling `close()`) before the end stops the producer and cancels
    its request in flight; nothing leaks.

    Each step has two forms: the short form `co_await gen.next()` (throws the
    producer's exception), and `gen.async_next(token)`, an Asio asynchronous
    operation completing with `void(error_code, std::optional<T>)` (the
    overload taking a `diagnostics&` keeps the exception there);
    `next_batch` / `async_next_batch` likewise with `std::vector<T>`.

    Cancellation of a step (through the handler's slot for `async_next`, the
    awaiting coroutine's cancellation state for `next()`):
    - terminal: the step completes with `operation_aborted` and the
      generator is closed (its producer stopped, the producer's request in
      flight aborted); later steps yield the end. A value already handed
      over when the cancellation came is still delivered, and the generator
      closed.
    - partial, total: the step completes with `operation_aborted` and
      nothing is lost: the generator stays usable and the next step yields
      the value that was coming. A value already buffered is handed over at
      once (there is nothing to cancel).

    Thread safety: distinct objects: safe. Shared objects: unsafe: one step
    at a time (start the next once the last completed, from any thread
    running the executor); `close()`, move and destruction not concurrently
    with a step. The producer runs on its own strand of the executor.
*/
template <class T>
class generator {
    struct state;

public:
    /// A sink the producer pushes values into; `push` waits while the
    /// prefetch buffer is full and throws `operation_aborted` once the
    /// consumer is gone. Thread safety: the producer's (one push at a time).
    class sink;
    using producer_fn = std::function<boost::asio::awaitable<void>(sink&)>;
    using executor_type = boost::asio::any_io_executor;
    /// With Boost 1.81 `any_io_executor` has no default token: pass one.
    using default_token = boost::asio::default_completion_token_t<executor_type>;

    /// Starts `producer` at once; up to `prefetch` values (or batches, see
    /// `sink::push_batch`) are buffered ahead of the consumer (0: the
    /// producer waits for each `next()`).
    generator(executor_type ex, producer_fn producer, std::size_t prefetch = 1);
    generator(generator&&) noexcept = default;
    /// Closes this generator, then takes `other`'s sequence.
    generator& operator=(generator&& other) noexcept {
        if (this != &other) {
            close();
            ex_ = std::move(other.ex_);
            state_ = std::move(other.state_);
        }
        return *this;
    }
    ~generator() { close(); }

    /// The executor the steps run on (not on a moved-from generator).
    executor_type get_executor() const noexcept { return ex_; }

    /// The next value; empty when the sequence ended. Rethrows the
    /// producer's exception (once), after the values before it.
    boost::asio::awaitable<std::optional<T>> next() { return next_of(state_); }

    /// The next values at once: what is left of the batch the producer
    /// handed over last (`sink::push_batch`), or the next hand-off's values;
    /// empty when the sequence ended. For a consumer that hands them on in
    /// batches itself. Rethrows as `next()`.
    boost::asio::awaitable<std::vector<T>> next_batch() { return next_batch_of(state_); }

    /// `next()` as an asynchronous operation: `void(error_code,
    /// std::optional<T>)`. Cancellation: terminal, partial, total (above).
    template <class Token = default_token>
    auto async_next(Token&& token = default_token()) {
        return start_next(nullptr, std::forward<Token>(token));
    }
    /// The same, keeping the producer's exception in `diag`.
    template <class Token = default_token>
    auto async_next(diagnostics& diag, Token&& token = default_token()) {
        return start_next(&diag, std::forward<Token>(token));
    }

    /// `next_batch()` as an asynchronous operation: `void(error_code,
    /// std::vector<T>)`. Cancellation: terminal, partial, total (above).
    template <class Token = default_token>
    auto async_next_batch(Token&& token = default_token()) {
        return start_next_batch(nullptr, std::forward<Token>(token));
    }
    /// The same, keeping the producer's exception in `diag`.
    template <class Token = default_token>
    auto async_next_batch(diagnostics& diag, Token&& token = default_token()) {
        return start_next_batch(&diag, std::forward<Token>(token));
    }

    /// Stops the producer early (also done by the destructor); later steps
    /// yield the end.
    void close() {
        if (state_)
            close_state(state_);
        state_.reset();
    }

private:
    template <class Token>
    auto start_next(diagnostics* diag, Token&& token) {
        return detail::async_run<std::optional<T>>(
            ex_, [st = state_]() { return next_of(st); }, diag, cancellation_support::all,
            std::forward<Token>(token));
    }
    template <class Token>
    auto start_next_batch(diagnostics* diag, Token&& token) {
        return detail::async_run<std::vector<T>>(
            ex_, [st = state_]() { return next_batch_of(st); }, diag, cancellation_support::all,
            std::forward<Token>(token));
    }

    static boost::asio::awaitable<std::optional<T>> next_of(std::shared_ptr<state> st);
    static boost::asio::awaitable<std::vector<T>> next_batch_of(std::shared_ptr<state> st);
    static void close_state(const std::shared_ptr<state>& st);
    static bool usable(const std::shared_ptr<state>& st, const boost::system::error_code& ec,
                       boost::asio::cancellation_type_t cancelled);

    executor_type ex_;
    std::shared_ptr<state> state_;
};

template <class T>
struct generator<T>::state {
    struct message {
        std::optional<T> value; // one value; empty with an empty batch: the end
        std::vector<T> batch;   // or several
        std::exception_ptr error;
    };
    state(boost::asio::any_io_executor ex, std::size_t prefetch)
        : strand(boost::asio::make_strand(ex))
        , channel(ex, prefetch) {}
    boost::asio::strand<boost::asio::any_io_executor> strand;
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code, message)> channel;
    boost::asio::cancellation_signal cancel; // used on `strand` only
    bool finished = false;                   // consumer side
    std::vector<T> received;                 // consumer side: the batch being handed out
    std::size_t taken = 0;                   // of which this many were
};

template <class T>
class generator<T>::sink {
public:
    explicit sink(std::shared_ptr<state> s)
        : s_(std::move(s)) {}
    /// Hands one value to the consumer, waiting while the buffer is full.
    boost::asio::awaitable<void> push(T value) {
        typename state::message m{std::move(value), {}, nullptr};
        auto [ec] =
            co_await s_->channel.async_send(boost::system::error_code{}, std::move(m),
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec)
            throw boost::system::system_error(boost::asio::error::operation_aborted);
    }

    /// Hands several values to the consumer at once (in order): one
    /// hand-off between the coroutines instead of one per value, which is
    /// most of the cost of a cheap value. Counts as one against the
    /// prefetch. An empty batch is ignored.
    boost::asio::awaitable<void> push_batch(std::vector<T> values) {
        if (values.empty())
            co_return;
        typename state::message m{std::nullopt, std::move(values), nullptr};
        auto [ec] =
            co_await s_->channel.async_send(boost::system::error_code{}, std::move(m),
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec)
            throw boost::system::system_error(boost::asio::error::operation_aborted);
    }

private:
    std::shared_ptr<state> s_;
};

template <class T>
generator<T>::generator(executor_type ex, producer_fn producer, std::size_t prefetch)
    : ex_(ex)
    , state_(std::make_shared<state>(std::move(ex), prefetch)) {
    auto st = state_;
    auto body = [st, producer = std::move(producer)]() -> boost::asio::awaitable<void> {
        sink out(st);
        std::exception_ptr error;
        try {
            co_await producer(out);
        } catch (...) {
            error = std::current_exception();
        }
        // The end (or the error): a final message, unless the consumer left.
        typename state::message last{std::nullopt, {}, error};
        co_await st->channel.async_send(boost::system::error_code{}, std::move(last),
                                        boost::asio::as_tuple(boost::asio::use_awaitable));
    };
    boost::asio::co_spawn(
        st->strand, std::move(body),
        boost::asio::bind_cancellation_slot(st->cancel.slot(), [](std::exception_ptr) {}));
}

template <class T>
void generator<T>::close_state(const std::shared_ptr<state>& st) {
    if (st->finished && !st->channel.is_open())
        return;
    st->finished = true;
    st->channel.close(); // a producer waiting to push wakes with an error
    // Abort the request in flight (or the push waiting on a full buffer), on
    // the producer's strand.
    boost::asio::post(st->strand,
                      [st] { st->cancel.emit(boost::asio::cancellation_type::terminal); });
}

// After a receive that completed with `ec` while the step's cancellation
// state said `cancelled`: whether its message is to be used (false: the
// generator was closed: the end). A cancelled receive took nothing from the
// channel: it throws operation_aborted, and closes the generator when the
// cancellation was terminal. The end is `channel_closed` (close()).
template <class T>
bool generator<T>::usable(const std::shared_ptr<state>& st, const boost::system::error_code& ec,
                          boost::asio::cancellation_type_t cancelled) {
    const bool terminal = (cancelled & boost::asio::cancellation_type::terminal) !=
                          boost::asio::cancellation_type::none;
    if (ec == boost::asio::experimental::error::channel_cancelled) {
        if (terminal)
            close_state(st);
        throw boost::system::system_error(boost::asio::error::operation_aborted);
    }
    if (ec) {
        st->finished = true;
        return false;
    }
    if (terminal) // the value came anyway: delivered, and the generator closed
        close_state(st);
    return true;
}

template <class T>
boost::asio::awaitable<std::optional<T>> generator<T>::next_of(std::shared_ptr<state> keep) {
    if (!keep || keep->finished)
        co_return std::nullopt;
    state& st = *keep;
    if (st.taken < st.received.size())
        co_return std::move(st.received[st.taken++]);
    st.received.clear();
    st.taken = 0;
    auto [ec, m] =
        co_await st.channel.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    // (No co_await that may throw from here on: the message is taken.)
    auto cs = co_await boost::asio::this_coro::cancellation_state;
    if (!usable(keep, ec, cs.cancelled()))
        co_return std::nullopt;
    if (!m.batch.empty()) {
        st.received = std::move(m.batch);
        st.taken = 1;
        co_return std::move(st.received.front());
    }
    if (!m.value) {
        st.finished = true;
        if (m.error)
            std::rethrow_exception(m.error);
        co_return std::nullopt;
    }
    co_return std::move(m.value);
}

template <class T>
boost::asio::awaitable<std::vector<T>> generator<T>::next_batch_of(std::shared_ptr<state> keep) {
    std::vector<T> out;
    if (!keep || keep->finished)
        co_return out;
    state& st = *keep;
    if (st.taken < st.received.size()) {
        if (st.taken == 0) {
            out = std::move(st.received);
        } else {
            out.reserve(st.received.size() - st.taken);
            for (std::size_t i = st.taken; i < st.received.size(); ++i)
                out.push_back(std::move(st.received[i]));
        }
        st.received.clear();
        st.taken = 0;
        co_return out;
    }
    st.received.clear();
    st.taken = 0;
    auto [ec, m] =
        co_await st.channel.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    auto cs = co_await boost::asio::this_coro::cancellation_state;
    if (!usable(keep, ec, cs.cancelled()))
        co_return out;
    if (!m.batch.empty())
        co_return std::move(m.batch);
    if (!m.value) {
        st.finished = true;
        if (m.error)
            std::rethrow_exception(m.error);
        co_return out;
    }
    out.push_back(std::move(*m.value));
    co_return out;
}

} // namespace ddb
