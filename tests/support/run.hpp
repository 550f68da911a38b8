// ddb tests — run an awaitable to completion on a fresh io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace ddb::test {

template <class T>
struct awaitable_value;
template <class T>
struct awaitable_value<boost::asio::awaitable<T>> {
    using type = T;
};

/// Runs `make()` (a callable returning an awaitable) on `ioc` until its
/// awaitable completes; returns its result or rethrows its exception: work it
/// leaves behind (the transport's timeout sentinel lingers up to 100 ms
/// after the last request) stays queued for the next call. For tests that
/// make many short runs.
template <class F>
auto complete(boost::asio::io_context& ioc, F&& make) {
    using T = typename awaitable_value<std::invoke_result_t<F>>::type;
    ioc.restart();
    std::exception_ptr error;
    bool done = false;
    std::optional<std::conditional_t<std::is_void_v<T>, int, T>> result;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ioc, std::forward<F>(make)(), [&](std::exception_ptr e) {
            error = e;
            done = true;
        });
    } else {
        boost::asio::co_spawn(ioc, std::forward<F>(make)(), [&](std::exception_ptr e, T v) {
            error = e;
            if (!e)
                result.emplace(std::move(v));
            done = true;
        });
    }
    while (!done && ioc.run_one() > 0) {
    }
    if (!done)
        throw std::logic_error("test::complete: the io_context ran out of work first");
    if (error)
        std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>)
        return std::move(*result);
}

/// Runs `make()` (a callable returning an awaitable) on `ioc` until it
/// completes and returns its result, rethrowing its exception, after running
/// everything else queued on `ioc` to completion too.
template <class F>
auto run(boost::asio::io_context& ioc, F&& make) {
    using T = typename awaitable_value<std::invoke_result_t<F>>::type;
    try {
        if constexpr (std::is_void_v<T>) {
            complete(ioc, std::forward<F>(make));
            ioc.run();
        } else {
            T result = complete(ioc, std::forward<F>(make));
            ioc.run();
            return result;
        }
    } catch (...) {
        ioc.run();
        throw;
    }
}

/// The same on a fresh io_context.
template <class F>
auto run(F&& make) {
    boost::asio::io_context ioc;
    return run(ioc, std::forward<F>(make));
}

} // namespace ddb::test
