// ddb — how every ddb operation becomes an Asio asynchronous operation.
//
// Each operation is written once, as an `asio::awaitable` coroutine (the
// short form, `co_await c.get_item(r)`, which throws the typed exception).
// Its `async_<name>(..., token)` form runs that coroutine with `co_spawn`
// on the object's executor, initiated through `async_initiate` so that every
// completion token works (`use_awaitable`, `deferred`, `use_future`,
// `as_tuple`, `redirect_error`, a plain callback), and completes with
// `void(error_code, T)`: the exception's `code()`, and the exception itself
// in the caller's `diagnostics` when one was given. The handler runs on its
// associated executor; its cancellation slot reaches the coroutine with the
// cancellation types the operation honours (docs/asio.md).
#pragma once

#include <ddb/core/diagnostics.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

namespace ddb {

/// The error code of an exception: `code()` of a `boost::system::system_error`
/// (every ddb error is one), `errc::not_enough_memory` for `std::bad_alloc`,
/// the code of a `std::system_error`, else `ddb::errc::unexpected_exception`.
/// A null pointer gives the empty code.
error_code error_code_of(const std::exception_ptr& e) noexcept;

/// The cancellation types an operation honours (docs/asio.md has the table).
enum class cancellation_support {
    /// terminal, partial and total: reads, which have no side effect.
    all,
    /// terminal and partial; total is ignored (the operation completes as if
    /// not cancelled), because a write once started cannot promise that it
    /// had no effect.
    terminal_partial,
};

namespace detail {

template <class T>
struct async_signature {
    using type = void(error_code, T);
};
template <>
struct async_signature<void> {
    using type = void(error_code);
};

/// Between the caller's cancellation slot and co_spawn: co_spawn's coroutine
/// starts with the default terminal-only filter and the operation resets it
/// to what it supports, which discards a cancellation that arrived before the
/// coroutine first ran (emitted before `run()` or from another thread). The
/// record remembers every type emitted, so the coroutine checks it after the
/// reset, and relays each emission to co_spawn through `signal`.
struct cancel_record {
    boost::asio::cancellation_signal signal;
    std::atomic<unsigned> emitted{0};
};

/// The handler installed in the caller's slot. Like co_spawn's own, it stays
/// there after completion (Asio's rule: the slot is the caller's to reuse).
struct cancel_forwarder {
    std::shared_ptr<cancel_record> record;
    void operator()(boost::asio::cancellation_type_t type) {
        record->emitted.fetch_or(static_cast<unsigned>(type), std::memory_order_release);
        record->signal.emit(type);
    }
};

/// co_spawn's completion `(exception_ptr[, T])` turned into `(error_code[, T])`,
/// the exception kept in the caller's diagnostics. The handler's executor and
/// allocator are forwarded; its cancellation slot is replaced by `slot`, the
/// record's (or none when the caller's slot is not connected).
template <class Handler, class T>
struct spawn_completion {
    Handler handler;
    diagnostics* diag;
    boost::asio::cancellation_slot slot;
    void operator()(std::exception_ptr e, T value) {
        if (diag && e)
            diag->assign(e);
        std::move(handler)(error_code_of(e), std::move(value));
    }
};
template <class Handler>
struct spawn_completion<Handler, void> {
    Handler handler;
    diagnostics* diag;
    boost::asio::cancellation_slot slot;
    void operator()(std::exception_ptr e) {
        if (diag && e)
            diag->assign(e);
        std::move(handler)(error_code_of(e));
    }
};

/// Throws `operation_aborted` when `record` saw a cancellation type that
/// `support` honours (src/core/async_run.cpp).
void throw_if_cancelled_early(const cancel_record* record, cancellation_support support);

template <class T, class Factory>
boost::asio::awaitable<T> run_spawned(Factory f, cancellation_support support,
                                      std::shared_ptr<cancel_record> record) {
    if (support == cancellation_support::all)
        co_await boost::asio::this_coro::reset_cancellation_state(
            boost::asio::enable_total_cancellation());
    else
        co_await boost::asio::this_coro::reset_cancellation_state(
            boost::asio::enable_partial_cancellation());
    throw_if_cancelled_early(record.get(), support);
    if constexpr (std::is_void_v<T>)
        co_await f();
    else
        co_return co_await f();
}

template <class Executor>
struct run_initiation {
    Executor ex;
    using executor_type = Executor;
    const executor_type& get_executor() const noexcept { return ex; }

    template <class Handler, class Factory>
    void operator()(Handler&& handler, Factory f, diagnostics* diag,
                    cancellation_support support) const {
        using T = typename decltype(f())::value_type;
        if (diag)
            diag->clear();
        std::shared_ptr<cancel_record> record;
        boost::asio::cancellation_slot slot;
        auto caller_slot = boost::asio::get_associated_cancellation_slot(handler);
        if (caller_slot.is_connected()) {
            record = std::make_shared<cancel_record>();
            slot = record->signal.slot();
            caller_slot.template emplace<cancel_forwarder>(cancel_forwarder{record});
        }
        boost::asio::co_spawn(
            ex, run_spawned<T>(std::move(f), support, std::move(record)),
            spawn_completion<std::decay_t<Handler>, T>{std::forward<Handler>(handler), diag, slot});
    }
};

/// Starts `factory()` (a callable returning `asio::awaitable<T>`, holding
/// by value all it needs) as an asynchronous operation on `ex`.
template <class T, class Executor, class Factory, class Token>
auto async_run(const Executor& ex, Factory&& factory, diagnostics* diag,
               cancellation_support support, Token&& token) {
    return boost::asio::async_initiate<Token, typename async_signature<T>::type>(
        run_initiation<Executor>{ex}, token, std::forward<Factory>(factory), diag, support);
}

} // namespace detail
} // namespace ddb

template <template <class, class> class Associator, class Handler, class T, class Default>
struct boost::asio::associator<Associator, ddb::detail::spawn_completion<Handler, T>, Default> {
    using type = typename Associator<Handler, Default>::type;
    static type get(const ddb::detail::spawn_completion<Handler, T>& c) noexcept {
        return Associator<Handler, Default>::get(c.handler);
    }
    static auto get(const ddb::detail::spawn_completion<Handler, T>& c, const Default& d) noexcept
        -> decltype(Associator<Handler, Default>::get(c.handler, d)) {
        return Associator<Handler, Default>::get(c.handler, d);
    }
};

template <class Handler, class T, class Default>
struct boost::asio::associator<boost::asio::associated_cancellation_slot,
                               ddb::detail::spawn_completion<Handler, T>, Default> {
    using type = boost::asio::cancellation_slot;
    static type get(const ddb::detail::spawn_completion<Handler, T>& c) noexcept { return c.slot; }
    static type get(const ddb::detail::spawn_completion<Handler, T>& c, const Default&) noexcept {
        return c.slot;
    }
};
