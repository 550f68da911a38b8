// generator<T>::next_batch (include/ddb/ops/generator.hpp): the values of a
// hand-off at once, mixed with next(), single values, the end and an error
// after the values before it. No server.
#include <ddb/ops/generator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using ddb::generator;

namespace {

template <class F>
void run(F f) {
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, f(ioc.get_executor()), asio::use_future);
    ioc.run();
    done.get();
}

// Batches {1,2,3}, then 4 alone, then {5,6}; `fail`: an error after them.
generator<int> numbers(asio::any_io_executor ex, bool fail) {
    return generator<int>(
        ex,
        [fail](generator<int>::sink& out) -> awaitable<void> {
            std::vector<int> first{1, 2, 3}, last{5, 6};
            co_await out.push_batch(std::move(first));
            co_await out.push(4);
            co_await out.push_batch(std::move(last));
            if (fail)
                throw std::runtime_error("read failed");
        },
        1);
}

using ints = std::vector<int>;

} // namespace

TEST_CASE("generator: next_batch hands over each hand-off's values at once", "[generator]") {
    run([](asio::any_io_executor ex) -> awaitable<void> {
        auto g = numbers(ex, false);
        std::vector<ints> got;
        for (int i = 0; i < 5; ++i) // the last two: the end, and still the end
            got.push_back(co_await g.next_batch());
        auto after = co_await g.next();
        CHECK(got == std::vector<ints>{{1, 2, 3}, {4}, {5, 6}, {}, {}});
        CHECK_FALSE(after);
    });
}

TEST_CASE("generator: next_batch after next() gives the rest of the batch", "[generator]") {
    run([](asio::any_io_executor ex) -> awaitable<void> {
        auto g = numbers(ex, false);
        auto one = co_await g.next();
        auto rest = co_await g.next_batch();
        auto four = co_await g.next();
        auto five = co_await g.next();
        auto six = co_await g.next_batch();
        auto end = co_await g.next();
        CHECK(one == 1);
        CHECK(rest == ints{2, 3});
        CHECK(four == 4);
        CHECK(five == 5);
        CHECK(six == ints{6});
        CHECK_FALSE(end);
    });
}

TEST_CASE("generator: next_batch rethrows the producer's error after its values", "[generator]") {
    run([](asio::any_io_executor ex) -> awaitable<void> {
        auto g = numbers(ex, true);
        std::vector<int> got;
        bool failed = false;
        try {
            for (;;) {
                auto batch = co_await g.next_batch();
                if (batch.empty())
                    break;
                got.insert(got.end(), batch.begin(), batch.end());
            }
        } catch (const std::runtime_error& e) {
            failed = std::string(e.what()) == "read failed";
        }
        auto after = co_await g.next_batch(); // the error comes once
        CHECK(failed);
        CHECK(got == ints{1, 2, 3, 4, 5, 6});
        CHECK(after.empty());
    });
}
