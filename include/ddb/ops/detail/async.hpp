// ddb — how the ops helpers (batch, waiters, raw transactions) become Asio
// asynchronous operations: `async_run` on the client's executor.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/core/async_run.hpp>
#include <ddb/core/diagnostics.hpp>

#include <boost/asio/async_result.hpp>

#include <type_traits>
#include <utility>

namespace ddb::detail {

/// The default token of the ops' asynchronous forms (none with Boost 1.81:
/// `any_io_executor` has no default completion token; pass one).
using ops_default_token = boost::asio::default_completion_token_t<client::executor_type>;

/// A completion token, not one of an overload set's other arguments (so
/// `async_x(c, args, options)` and `async_x(c, args, token)` do not collide).
template <class Token, class... Arguments>
concept completion_token_arg = !std::is_same_v<std::remove_cvref_t<Token>, diagnostics> &&
                               (!std::is_convertible_v<Token, Arguments> && ...);

/// Starts `fn(client&)` (returning an `asio::awaitable<T>`; it holds by
/// value all it needs) as an asynchronous operation on `c`'s executor, with
/// a handle sharing `c`'s state (`client::share()`): `c` itself may be moved
/// or destroyed while the operation runs.
template <class T, class Fn, class Token>
auto ops_run(client& c, Fn fn, diagnostics* diag, cancellation_support support, Token&& token) {
    return async_run<T>(
        c.get_executor(), [handle = c.share(), fn = std::move(fn)]() mutable { return fn(handle); },
        diag, support, std::forward<Token>(token));
}

} // namespace ddb::detail
