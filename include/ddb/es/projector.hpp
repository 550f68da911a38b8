// ddb::es — projectors and reactors (the PHP framework's EventHandlers and
// Projectionist): handlers run for stored events, typed through the
// event_registry.
//
//   std::map<std::string, std::int64_t> balances;
//   ddb::es::projector balance(registry, "balances");
//   balance.on<deposited>([&](const deposited& e, const ddb::es::stored_event& se) {
//       balances[*se.aggregate_uuid] += e.amount;
//   });
//   balance.on_reset([&] { balances.clear(); });        // before a full replay
//
//   ddb::es::reactor mailer(registry, "mailer");
//   mailer.on<opened>([&](const opened& e) -> boost::asio::awaitable<void> {
//       co_await send_welcome(e.owner);                  // coroutines too
//   });
//
//   ddb::es::projectionist p;
//   p.add(balance).add(mailer);
//   auto r = co_await ddb::es::persist_and_project(account, p);  // persist, then handlers
//   for (auto& f : r.failures) log(f.event_id, f.handler, f.message);
//
// A handler takes `(const E&, const stored_event&)` or `(const E&)` and
// returns void or `awaitable<void>`. Projectors build read models and are
// replayed (<ddb/es/replay.hpp>); reactors have side effects and never run
// during a replay.
#pragma once

#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/event_registry.hpp>
#include <ddb/es/stored_event.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ddb::es {

/// A handler that threw (or whose event could not be decoded): reported,
/// never rethrown; the other handlers still run and nothing is undone.
struct handler_failure {
    std::int64_t event_id = 0;
    std::string event_class{};
    /// The handler set's name (`event_handlers::name()`).
    std::string handler{};
    /// `what()` of the exception ("unknown exception" otherwise).
    std::string message{};
    std::exception_ptr error{};
};

namespace projector_detail {
template <class T>
struct is_awaitable : std::false_type {};
template <class T, class Ex>
struct is_awaitable<boost::asio::awaitable<T, Ex>> : std::true_type {};
} // namespace projector_detail

/// Handlers keyed by event type; the common part of `projector` and
/// `reactor`. Holds a reference to the registry, which must outlive it.
///
/// Thread safety: distinct objects: safe. Shared objects: unsafe while
/// handlers are added; afterwards `handles` is safe, and `handle` as safe
/// as the handlers themselves.
class event_handlers {
public:
    event_handlers(const event_registry& registry, std::string name)
        : registry_(&registry)
        , name_(std::move(name)) {}

    const std::string& name() const noexcept { return name_; }

    /** Registers `f` for events of type `E` (registered in the registry:
        `unregistered_type` otherwise). `f(const E&, const stored_event&)` or
        `f(const E&)`, returning void or `awaitable<void>`. Several
        handlers for one type run in registration order. */
    template <class E, class F>
    event_handlers& on(F f) {
        const std::string& event_class = registry_->name_of<E>();
        const event_registry* reg = registry_;
        constexpr bool with_stored = std::is_invocable_v<F&, const E&, const stored_event&>;
        static_assert(with_stored || std::is_invocable_v<F&, const E&>,
                      "on<E>(f): f takes (const E&, const stored_event&) or (const E&)");
        using result =
            typename std::conditional_t<with_stored,
                                        std::invoke_result<F&, const E&, const stored_event&>,
                                        std::invoke_result<F&, const E&>>::type;
        entry en;
        if constexpr (projector_detail::is_awaitable<result>::value) {
            en.async = [reg, f = std::move(f)](
                           const stored_event& se) mutable -> boost::asio::awaitable<void> {
                const E event = reg->decode<E>(se);
                if constexpr (with_stored) {
                    auto step = f(event, se);
                    co_await std::move(step);
                } else {
                    auto step = f(event);
                    co_await std::move(step);
                }
            };
        } else {
            static_assert(std::is_void_v<result>, "on<E>(f): f returns void or awaitable<void>");
            en.sync = [reg, f = std::move(f)](const stored_event& se) mutable {
                const E event = reg->decode<E>(se);
                if constexpr (with_stored)
                    f(event, se);
                else
                    f(event);
            };
        }
        handlers_[event_class].push_back(std::move(en));
        return *this;
    }

    /// Whether some handler takes this event (by its stored name).
    bool handles(const stored_event& e) const;

    /// Runs the handlers for `e`, in registration order; failures are
    /// appended to `failures` (the remaining handlers still run).
    boost::asio::awaitable<void> handle(const stored_event& e,
                                        std::vector<handler_failure>& failures);

private:
    struct entry {
        std::function<void(const stored_event&)> sync{};
        std::function<boost::asio::awaitable<void>(const stored_event&)> async{};
    };
    const event_registry* registry_;
    std::string name_;
    std::map<std::string, std::vector<entry>, std::less<>> handlers_{};
};

/// Builds a read model; replayable. `on_reset` handlers run when a replay
/// starts from the beginning (they should clear the model).
class projector : public event_handlers {
public:
    using event_handlers::event_handlers;

    template <class E, class F>
    projector& on(F f) {
        event_handlers::on<E>(std::move(f));
        return *this;
    }

    /// `f()` returns void or `awaitable<void>`.
    template <class F>
    projector& on_reset(F f) {
        using result = std::invoke_result_t<F&>;
        if constexpr (projector_detail::is_awaitable<result>::value) {
            resets_.push_back([f = std::move(f)]() mutable -> boost::asio::awaitable<void> {
                auto step = f();
                co_await std::move(step);
            });
        } else {
            static_assert(std::is_void_v<result>, "on_reset(f): f returns void or awaitable<void>");
            resets_.push_back([f = std::move(f)]() mutable -> boost::asio::awaitable<void> {
                f();
                co_return;
            });
        }
        return *this;
    }

    bool resettable() const noexcept { return !resets_.empty(); }
    /// Runs the `on_reset` handlers (their exceptions propagate).
    boost::asio::awaitable<void> reset();

private:
    std::vector<std::function<boost::asio::awaitable<void>()>> resets_{};
};

/// Side effects (mail, other systems): runs after the projectors, never
/// during a replay.
class reactor : public event_handlers {
public:
    using event_handlers::event_handlers;

    template <class E, class F>
    reactor& on(F f) {
        event_handlers::on<E>(std::move(f));
        return *this;
    }
};

/// Runs projectors, then reactors, for stored events. Holds references:
/// the handlers must outlive it. Its operations run the handlers in the
/// caller's coroutine (no executor of its own, no asynchronous form).
///
/// Thread safety: distinct objects: safe. Shared objects: unsafe; one
/// `handle` (or replay) at a time.
class projectionist {
public:
    using failure_callback = std::function<void(const handler_failure&)>;

    projectionist& add(projector& p) {
        projectors_.push_back(&p);
        return *this;
    }
    projectionist& add(reactor& r) {
        reactors_.push_back(&r);
        return *this;
    }
    /// Also called for each failure (of `handle` and of replays), as it
    /// happens. Exceptions it throws propagate.
    projectionist& on_failure(failure_callback cb) {
        on_failure_ = std::move(cb);
        return *this;
    }

    const std::vector<projector*>& projectors() const noexcept { return projectors_; }
    const std::vector<reactor*>& reactors() const noexcept { return reactors_; }

    /** For each event in order: every projector (in `add` order), then
        every reactor. A handler's exception is caught and reported (in the
        returned list and to `on_failure`); it stops neither the other
        handlers nor the other events. */
    boost::asio::awaitable<std::vector<handler_failure>>
    handle(const std::vector<stored_event>& events);
    boost::asio::awaitable<std::vector<handler_failure>> handle(const stored_event& event);

    /// The projectors only (as during a replay); returns the failures.
    boost::asio::awaitable<std::vector<handler_failure>> project(const stored_event& event);

private:
    void report(std::vector<handler_failure>& failures, std::size_t from) const;

    std::vector<projector*> projectors_{};
    std::vector<reactor*> reactors_{};
    failure_callback on_failure_{};
};

/// What `persist_and_project` did.
struct projected_persist {
    std::vector<stored_event> events{};
    std::vector<handler_failure> failures{};
};

/** `aggregate.persist()`, then, when it succeeded, `p.handle(stored)`.
    Persist errors (a `concurrency_conflict`) propagate and no handler
    runs; handler failures are returned, the events stay stored. */
template <class Aggregate>
boost::asio::awaitable<projected_persist> persist_and_project(Aggregate& aggregate,
                                                              projectionist& p) {
    projected_persist out;
    out.events = co_await aggregate.persist();
    if (!out.events.empty())
        out.failures = co_await p.handle(out.events);
    co_return out;
}

/// `persist_and_project`, asynchronous: `void(error_code,
/// projected_persist)`, on the aggregate's event repository's executor.
/// The aggregate and `p` must outlive it (and the aggregate stay in place).
/// Cancellation: terminal, partial: `operation_aborted`, the append's
/// outcome unknown, and the handlers ran for the stored events, for some of
/// them or for none; total: ignored.
template <class Aggregate, detail::token Token = default_token>
auto async_persist_and_project(Aggregate& aggregate, projectionist& p,
                               Token&& token = default_token()) {
    auto* a = &aggregate;
    auto* pp = &p;
    return detail::async_op<projected_persist>(
        aggregate.attached_repositories().events->get_executor(),
        [a, pp] { return persist_and_project(*a, *pp); }, nullptr,
        cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <class Aggregate, detail::token Token = default_token>
auto async_persist_and_project(Aggregate& aggregate, projectionist& p, diagnostics& diag,
                               Token&& token = default_token()) {
    auto* a = &aggregate;
    auto* pp = &p;
    return detail::async_op<projected_persist>(
        aggregate.attached_repositories().events->get_executor(),
        [a, pp] { return persist_and_project(*a, *pp); }, &diag,
        cancellation_support::terminal_partial, std::forward<Token>(token));
}

} // namespace ddb::es
