#include <ddb/core/config_error.hpp>
#include <ddb/core/saturating_time.hpp>
#include <ddb/credentials/caching_provider.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>
#include <optional>
#include <vector>

namespace ddb {

namespace asio = boost::asio;
using handler = asio::any_completion_handler<void(std::exception_ptr, credentials)>;

// A suspended fetch() and the executor its coroutine runs on.
struct waiter {
    handler h;
    asio::any_io_executor ex;
};

struct detail::caching_provider_state {
    credentials_provider_ptr inner;
    caching_provider::options opts;
    std::mutex mutex; // guards everything below; never held across a suspension
    std::optional<credentials> cached;
    bool refreshing = false;
    std::vector<waiter> waiters;
    std::uint64_t refreshes = 0;

    // True when `cached` is usable now and not within the refresh window.
    bool fresh(std::chrono::system_clock::time_point now) const {
        return cached && (!cached->expiration ||
                          now < detail::saturating_add(*cached->expiration, -opts.refresh_before));
    }
    bool usable(std::chrono::system_clock::time_point now) const {
        return cached && !cached->expired(now);
    }
};

namespace {

void complete(waiter w, std::exception_ptr ep, const credentials& c) {
    // Resume each waiter on its own executor, never inside the refresher's stack.
    asio::post(w.ex, asio::append(std::move(w.h), ep, c));
}

// Starts one refresh; the caller has set `refreshing` under the lock.
void start_refresh(const std::shared_ptr<detail::caching_provider_state>& st,
                   asio::any_io_executor ex) {
    asio::co_spawn(ex, st->inner->fetch(), [st](std::exception_ptr ep, credentials c) {
        std::vector<waiter> ws;
        {
            std::lock_guard lock(st->mutex);
            st->refreshing = false;
            if (!ep)
                st->cached = c;
            ws.swap(st->waiters);
        }
        for (auto& w : ws)
            complete(std::move(w), ep, c);
    });
}

} // namespace

caching_provider::caching_provider(credentials_provider_ptr inner)
    : caching_provider(std::move(inner), options{}) {}

caching_provider::caching_provider(credentials_provider_ptr inner, options opts)
    : state_(std::make_shared<detail::caching_provider_state>()) {
    if (opts.refresh_before < std::chrono::seconds::zero())
        throw config_error(config_errc::invalid_setting,
                           "caching_provider::options::refresh_before must be >= 0, got " +
                               std::to_string(opts.refresh_before.count()) + " s");
    state_->inner = std::move(inner);
    state_->opts = std::move(opts);
}

caching_provider::~caching_provider() = default;

std::string caching_provider::name() const {
    return state_->inner->name();
}

std::string caching_provider::describe() const {
    std::string out = state_->inner->describe();
    std::lock_guard lock(state_->mutex);
    if (!state_->cached)
        return out;
    out += "; cached credentials from " + state_->cached->source;
    if (state_->cached->expiration) {
        auto left = std::chrono::duration_cast<std::chrono::seconds>(*state_->cached->expiration -
                                                                     state_->opts.now());
        out += ", expiring in " + std::to_string(left.count()) + " s";
    }
    return out;
}

void caching_provider::invalidate() {
    std::lock_guard lock(state_->mutex);
    state_->cached.reset();
    state_->inner->invalidate();
}

std::uint64_t caching_provider::refreshes() const {
    std::lock_guard lock(state_->mutex);
    return state_->refreshes;
}

asio::awaitable<credentials> caching_provider::fetch() {
    auto st = state_;
    {
        // Fast path: fresh credentials, no suspension.
        std::lock_guard lock(st->mutex);
        if (st->fresh(st->opts.now()))
            co_return *st->cached;
    }
    auto ex = co_await asio::this_coro::executor;
    // Slow path: decide and register under one lock, so a refresh that
    // finishes meanwhile cannot miss this waiter. (The initiation is a named
    // local: GCC 12 destroys lambda temporaries inside a co_await expression
    // twice.)
    //
    // The initiation runs after this coroutine suspended: once the waiter is
    // published, a refresh on another thread may resume the coroutine and
    // free its frame, this lambda included. Hence copies of the captures on
    // this thread's stack, and nothing of the lambda used after the lock.
    auto initiation = [st_ = st, ex_ = ex](handler h) {
        auto st = st_;
        auto ex = ex_;
        waiter w{std::move(h), ex};
        std::unique_lock lock(st->mutex);
        auto now = st->opts.now();
        bool start = false;
        if (!st->refreshing && !st->fresh(now)) {
            st->refreshing = true;
            ++st->refreshes;
            start = true;
        }
        if (st->usable(now)) {
            // Expiring soon but still valid: answer now, refresh in the background.
            credentials c = *st->cached;
            lock.unlock();
            complete(std::move(w), nullptr, c);
        } else {
            st->waiters.push_back(std::move(w));
            lock.unlock();
        }
        if (start)
            start_refresh(st, ex);
    };
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                            void(std::exception_ptr, credentials)>(
        initiation, asio::use_awaitable);
}

} // namespace ddb
