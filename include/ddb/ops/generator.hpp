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

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace ddb {

/// A sequence of `T` produced asynchronously, consumed with
/// `co_await gen.next()` (empty optional at the end). Move-only. Destroying
/// it (or calling `close()`) before the end stops the producer and cancels
/// its request in flight; nothing leaks.
///
/// Thread safety: one consumer at a time. The producer runs on its own
/// strand of the given executor.
template <class T>
class generator {
public:
    /// A sink the producer pushes values into; `push` waits while the
    /// prefetch buffer is full and throws `operation_aborted` once the
    /// consumer is gone.
    class sink;
    using producer_fn = std::function<boost::asio::awaitable<void>(sink&)>;

    /// Starts `producer` at once; up to `prefetch` values (or batches, see
    /// `sink::push_batch`) are buffered ahead of the consumer (0: the
    /// producer waits for each `next()`).
    generator(boost::asio::any_io_executor ex, producer_fn producer, std::size_t prefetch = 1);
    generator(generator&&) noexcept = default;
    generator& operator=(generator&&) noexcept = default;
    ~generator() { close(); }

    /// The next value; empty when the sequence ended. Rethrows the
    /// producer's exception (once), after the values before it.
    boost::asio::awaitable<std::optional<T>> next();

    /// The next values at once: what is left of the batch the producer
    /// handed over last (`sink::push_batch`), or the next hand-off's values;
    /// empty when the sequence ended. For a consumer that hands them on in
    /// batches itself. Rethrows as `next()`.
    boost::asio::awaitable<std::vector<T>> next_batch();

    /// Stops the producer early (also done by the destructor).
    void close();

    struct state;

private:
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
generator<T>::generator(boost::asio::any_io_executor ex, producer_fn producer, std::size_t prefetch)
    : state_(std::make_shared<state>(std::move(ex), prefetch)) {
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
boost::asio::awaitable<std::optional<T>> generator<T>::next() {
    if (!state_ || state_->finished)
        co_return std::nullopt;
    if (state_->taken < state_->received.size())
        co_return std::move(state_->received[state_->taken++]);
    auto keep = state_; // alive across the wait, whatever happens to *this
    state& st = *keep;
    st.received.clear();
    st.taken = 0;
    auto [ec, m] =
        co_await st.channel.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) {
        st.finished = true;
        co_return std::nullopt;
    }
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
boost::asio::awaitable<std::vector<T>> generator<T>::next_batch() {
    std::vector<T> out;
    if (!state_ || state_->finished)
        co_return out;
    auto keep = state_;
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
    if (ec) {
        st.finished = true;
        co_return out;
    }
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

template <class T>
void generator<T>::close() {
    if (!state_)
        return;
    state_->finished = true;
    state_->channel.close(); // a producer waiting to push wakes with an error
    // Abort the request in flight, on the producer's strand.
    boost::asio::post(state_->strand,
                      [st = state_] { st->cancel.emit(boost::asio::cancellation_type::terminal); });
    state_.reset();
}

} // namespace ddb
