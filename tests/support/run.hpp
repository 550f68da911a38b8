// ddb tests — run an awaitable to completion on a fresh io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace ddb::test {

template <class T>
struct awaitable_value;
template <class T>
struct awaitable_value<boost::asio::awaitable<T>> {
    using type = T;
};

/// Runs `make()` (a callable returning an awaitable) on `ioc` until it
/// completes and returns its result, rethrowing its exception.
template <class F>
auto run(boost::asio::io_context& ioc, F&& make) {
    using T = typename awaitable_value<std::invoke_result_t<F>>::type;
    ioc.restart();
    std::exception_ptr error;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ioc, std::forward<F>(make)(),
                              [&](std::exception_ptr e) { error = e; });
        ioc.run();
        if (error)
            std::rethrow_exception(error);
    } else {
        std::optional<T> result;
        boost::asio::co_spawn(ioc, std::forward<F>(make)(), [&](std::exception_ptr e, T v) {
            error = e;
            if (!e)
                result.emplace(std::move(v));
        });
        ioc.run();
        if (error)
            std::rethrow_exception(error);
        return std::move(*result);
    }
}

/// The same on a fresh io_context.
template <class F>
auto run(F&& make) {
    boost::asio::io_context ioc;
    return run(ioc, std::forward<F>(make));
}

} // namespace ddb::test
