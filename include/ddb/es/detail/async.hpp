// Internal: how the event store's operations become Asio asynchronous
// operations (on top of <ddb/core/async_run.hpp>).
#pragma once

#include <ddb/core/async_run.hpp>
#include <ddb/core/diagnostics.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace ddb::es {

/// The default completion token of the event store's `async_` forms: the
/// executor's (`any_io_executor` has none with Boost 1.81: pass one).
using default_token = boost::asio::default_completion_token_t<boost::asio::any_io_executor>;

namespace detail {

/// A completion token, not the `diagnostics&` of the other overload.
template <class Token>
concept token = !std::is_same_v<std::remove_cvref_t<Token>, diagnostics>;

/// `op`, whose outcome becomes `operation_aborted` when the operation was
/// cancelled (by a type it honours) while it ran: a cancelled read may
/// otherwise end early and look complete (a generator's `next()` ends its
/// sequence when cancelled), and a cancelled write may otherwise report
/// what a check it made after the cancellation concluded.
template <class T>
boost::asio::awaitable<T> aborted_if_cancelled(boost::asio::awaitable<T> op) {
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<T>, int, T>> value;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(op);
            value.emplace(0);
        } else {
            value.emplace(co_await std::move(op));
        }
    } catch (...) {
        error = std::current_exception();
    }
    const auto cs = co_await boost::asio::this_coro::cancellation_state;
    if (cs.cancelled() != boost::asio::cancellation_type::none)
        throw boost::system::system_error(boost::asio::error::operation_aborted);
    if (error)
        std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>)
        co_return std::move(*value);
}

/// `ddb::detail::async_run` for an event store operation: `factory()`
/// returns the awaitable short form (capturing everything by value).
template <class T, class Factory, class Token>
auto async_op(boost::asio::any_io_executor ex, Factory factory, diagnostics* diag,
              cancellation_support support, Token&& token) {
    return ddb::detail::async_run<T>(
        ex,
        [f = std::move(factory)]() mutable -> boost::asio::awaitable<T> {
            return aborted_if_cancelled<T>(f());
        },
        diag, support, std::forward<Token>(token));
}

} // namespace detail
} // namespace ddb::es
