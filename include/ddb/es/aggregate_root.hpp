// ddb::es — event-sourced aggregate roots (the PHP framework's
// AggregateRoot): state rebuilt from the aggregate's events, new events
// recorded and applied in memory, then persisted atomically with an
// optimistic concurrency check.
//
//   struct account : ddb::es::aggregate_root<account, opened, deposited> {
//       std::int64_t balance = 0;
//       void deposit(std::int64_t n) { record(deposited{n}); }
//       void apply(const opened&) {}
//       void apply(const deposited& e) { balance += e.amount; }
//   };
//   BOOST_DESCRIBE_STRUCT(account, (), (balance))   // the snapshot state
//
//   ddb::es::repositories repos(events, snapshots, registry);
//   auto a = co_await account::load(repos, "account-42");
//   a.deposit(5);
//   co_await a.persist();          // concurrency_conflict if someone else was first
//
// Handlers are `apply(const E&)` overloads on the derived class, chosen at
// compile time; every listed event type needs one (an empty one when the
// event changes nothing). They may be private if the class befriends
// `ddb::es::aggregate_access`. Inherit publicly; the derived class must be
// default-constructible and movable.
//
// Asynchronous forms (docs/asio.md): `async_load`, `async_persist`,
// `async_snapshot`, `async_persist_in_transaction` and
// `async_retry_on_conflict` complete with `void(error_code, T)` on the
// event repository's executor; the overloads with a `diagnostics&` keep
// the typed exception (`diag.get<concurrency_conflict>()`).
//
// Thread safety: distinct objects: safe. Shared objects: unsafe (an
// aggregate is a value that one coroutine at a time records into and
// persists); the repositories it holds are shared safely.
#pragma once

#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_codec.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/es/event_registry.hpp>
#include <ddb/es/repositories.hpp>
#include <ddb/es/snapshot.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/mp11/algorithm.hpp>

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace ddb::es {

/// The door to a derived aggregate's private parts: befriend it
/// (`friend ddb::es::aggregate_access;`) to keep `apply`, `snapshot_state`
/// and `restore_state` private. Everything else in it is internal.
struct aggregate_access {
    template <class D, class E>
    static constexpr bool can_apply = requires(D& d, const E& e) {
        d.apply(e);
    };

    template <class D>
    static constexpr bool has_snapshot_state = requires(const D& d) {
        { d.snapshot_state() } -> std::convertible_to<std::vector<std::uint8_t>>;
    };
    template <class D>
    static constexpr bool has_restore_state = requires(D& d, const std::vector<std::uint8_t>& b) {
        d.restore_state(b);
    };

    template <class D, class E>
    static void apply(D& d, const E& e) {
        d.apply(e);
    }
    template <class D>
    static std::vector<std::uint8_t> snapshot_state(const D& d) {
        return d.snapshot_state();
    }
    template <class D>
    static void restore_state(D& d, const std::vector<std::uint8_t>& state) {
        d.restore_state(state);
    }

    // Used by persist_in_transaction.
    template <class A>
    static void assign_ids(A& a, event_repository& events) {
        a.assign_ids(events);
    }
    template <class A>
    static append_request pending(const A& a, const event_registry& registry) {
        return a.pending(registry);
    }
    template <class A>
    static void persisted(A& a, const std::vector<stored_event>& stored) {
        a.persisted(stored);
    }
    template <class A>
    static bool drop_refused_ids(A& a, const es_error& e) {
        return a.drop_refused_ids(e);
    }
};

/// How an aggregate's state becomes snapshot bytes: its own
/// `snapshot_state()`/`restore_state(bytes)` when it defines both, else its
/// described members (BOOST_DESCRIBE_STRUCT / BOOST_DESCRIBE_CLASS, any
/// access) as a JSON object; without either it cannot be snapshotted (and
/// `load` does not look for snapshots).
template <class D>
constexpr bool custom_snapshot_state =
    aggregate_access::has_snapshot_state<D>&& aggregate_access::has_restore_state<D>;
template <class D>
constexpr bool described_snapshot_state =
    !custom_snapshot_state<D> && boost::describe::has_describe_members<D>::value;
template <class D>
constexpr bool snapshottable = custom_snapshot_state<D> || described_snapshot_state<D>;

/// The default snapshot state: the described members of `d` as JSON text.
template <class D>
std::vector<std::uint8_t> described_state(const D& d) {
    boost::json::object o;
    using members = boost::describe::describe_members<D, boost::describe::mod_any_access>;
    boost::mp11::mp_for_each<members>(
        [&](auto member) { o[member.name] = to_json(d.*member.pointer); });
    std::string text = boost::json::serialize(o);
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

/// Restores what `described_state` wrote; `event_error(snapshot_mismatch)`
/// when it does not fit (then `load` replays all events instead).
template <class D>
void restore_described_state(D& d, const std::vector<std::uint8_t>& state) {
    boost::system::error_code ec;
    auto v = boost::json::parse(
        std::string_view(reinterpret_cast<const char*>(state.data()), state.size()), ec);
    if (ec || !v.is_object())
        throw event_error(event_errc::snapshot_mismatch, "snapshot state is not a JSON object");
    const auto& o = v.get_object();
    using members = boost::describe::describe_members<D, boost::describe::mod_any_access>;
    boost::mp11::mp_for_each<members>([&](auto member) {
        using M = std::remove_cvref_t<decltype(d.*member.pointer)>;
        auto found = o.find(member.name);
        if (found == o.end())
            throw event_error(event_errc::snapshot_mismatch,
                              std::string("snapshot state has no member ") + member.name);
        try {
            d.*member.pointer = from_json<M>(found->value(), member.name);
        } catch (const event_error& e) {
            throw event_error(event_errc::snapshot_mismatch,
                              std::string("snapshot state: ") + e.what());
        }
    });
}

/// The CRTP base of an aggregate root whose events are `Events...` (each
/// registered in the `event_registry`).
template <class Derived, class... Events>
class aggregate_root {
public:
    static_assert(sizeof...(Events) > 0, "an aggregate root needs at least one event type");
    static_assert(boost::mp11::mp_is_set<boost::mp11::mp_list<Events...>>::value,
                  "each event type once in aggregate_root<Derived, Events...>");

    /// One of the aggregate's events.
    using event_type = std::variant<Events...>;

    const std::string& uuid() const noexcept { return uuid_; }
    /// The number of events applied: loaded (or the snapshot's version plus
    /// those after it) and recorded. An event whose handler does nothing
    /// counts too.
    std::int64_t version() const noexcept { return version_; }
    /// The version the store is known to hold (after `load` or the last
    /// `persist`): the expected version of the next `persist`.
    std::int64_t persisted_version() const noexcept { return persisted_version_; }
    /// Recorded and applied, not yet persisted.
    const std::vector<event_type>& recorded_events() const noexcept { return recorded_; }
    /// The repositories it was made with (`create`, `load`);
    /// `es_error(invalid_argument)` for an aggregate made otherwise.
    repositories attached_repositories() const { return attached(); }

    /// Applies `event` (the derived class's `apply(const E&)`) and queues
    /// it for `persist`, with `meta_data` as its user metadata. When the
    /// handler throws, nothing is recorded.
    template <class E>
    Derived& record(E event, boost::json::object meta_data = {}) {
        static_assert(boost::mp11::mp_contains<boost::mp11::mp_list<Events...>, E>::value,
                      "record(): this event type is not in aggregate_root<Derived, Events...>");
        check();
        apply_event(event);
        recorded_.emplace_back(std::in_place_type<E>, std::move(event));
        recorded_meta_.push_back(std::move(meta_data));
        return derived();
    }

    /// A new aggregate at version 0, without reading the store (persisting
    /// it conflicts if `uuid` already has events).
    static Derived create(repositories repos, std::string uuid) {
        check();
        Derived d;
        aggregate_root& base = d;
        base.repos_ = repos;
        base.uuid_ = std::move(uuid);
        return d;
    }

    /// The aggregate as stored: the newest snapshot's state and version,
    /// then the events after it; or, without a usable snapshot, all its
    /// events. Version 0 when it has none. Events are decoded through the
    /// registry: an event type the aggregate does not list is an
    /// `unexpected_event` error (with the event's id).
    static boost::asio::awaitable<Derived> load(repositories repos, std::string uuid) {
        Derived d = create(repos, uuid);
        bool from_snapshot = false;
        if constexpr (snapshottable<Derived>) {
            if (repos.snapshots) {
                auto s = co_await repos.snapshots->retrieve(uuid);
                if (s) {
                    try {
                        restore(d, s->state);
                        from_snapshot = true;
                    } catch (const event_error& e) {
                        if (e.kind() != event_errc::snapshot_mismatch)
                            throw;
                    }
                    if (from_snapshot) {
                        aggregate_root& base = d;
                        base.version_ = s->aggregate_version;
                    } else {
                        d = create(repos, uuid); // a state that does not fit: replay all
                    }
                }
            }
        }
        aggregate_root& base = d;
        std::optional<std::string> all_of = uuid;
        auto events = from_snapshot ? repos.events->retrieve_all_after_version(base.version_, uuid)
                                    : repos.events->retrieve_all(all_of);
        while (auto e = co_await events.next())
            base.apply_stored(*e);
        base.persisted_version_ = base.version_;
        co_return d;
    }

    /** Appends the recorded events at expected version
        `persisted_version()` with the repository's `append` (atomic within
        DynamoDB's transaction limits, 100 actions / 4 MB; beyond them,
        consecutive conditioned chunks), and
        returns them as stored. The queue is cleared only on success.

        Safe to call again after an unknown outcome (a transport error, a
        timeout, throttling after the client's retries; docs/errors.md): the
        first attempt gives the recorded events ids from the repository
        (`new_id()`), kept until they are persisted, so a second `persist()`
        on the same object is recognised as the same append and returns the
        events as stored, stored once. Events recorded in between follow
        them.

        @throws concurrency_conflict when another writer appended since this
                aggregate was loaded (`expected()`, `actual()`): nothing was
                stored; reload and retry (`retry_on_conflict`).
        @throws es_error(ids_expired) when its ids grew older than
                `store_config::max_append_age` without being stored (a retry
                long after an unknown outcome): the ids are dropped, so
                calling `persist()` again draws new ones.
        When the version it follows has a higher id than the ones drawn
        (`id_order`: loaded from a snapshot that a writer whose clock is
        ahead wrote, so its id was never read), the ids are drawn again above
        it and the append tried once more.
        Nothing recorded: returns at once, without asking the store (the PHP
        framework still ran its version query; a check that writes nothing
        guarantees nothing to a caller either). */
    boost::asio::awaitable<std::vector<stored_event>> persist() {
        if (recorded_.empty())
            co_return std::vector<stored_event>{};
        const repositories repos = attached();
        std::vector<stored_event> stored;
        for (int attempt = 0;; ++attempt) {
            assign_ids(*repos.events);
            append_request request = pending(*repos.registry);
            try {
                stored = co_await repos.events->append(std::move(request.uuid), request.expected,
                                                       std::move(request.events));
                break;
            } catch (const es_error& e) {
                if (!drop_refused_ids(e) || e.kind() != es_errc::id_order || attempt > 0)
                    throw;
            }
        }
        persisted(stored);
        co_return stored;
    }

    /** Stores the current state and version as the aggregate's snapshot;
        `load` starts from it. Only with nothing recorded (persist first):
        a snapshot must not hold events the store may never get.
        The state is the derived class's (see `custom_snapshot_state`). */
    boost::asio::awaitable<void> snapshot() {
        static_assert(snapshottable<Derived>,
                      "snapshot(): describe the aggregate's state with BOOST_DESCRIBE_STRUCT / "
                      "BOOST_DESCRIBE_CLASS, or define snapshot_state() and restore_state(bytes)");
        const repositories repos = attached();
        if (!repos.snapshots)
            throw es_error(es_errc::invalid_argument,
                           "snapshot(): the aggregate's repositories have no snapshot repository");
        if (!recorded_.empty())
            throw es_error(es_errc::invalid_argument,
                           "snapshot(): aggregate " + uuid_ +
                               " has recorded events that are not persisted; persist first");
        ddb::es::snapshot s;
        s.aggregate_uuid = uuid_;
        s.aggregate_version = version_;
        if constexpr (custom_snapshot_state<Derived>)
            s.state = aggregate_access::snapshot_state(derived());
        else
            s.state = described_state(derived());
        co_await repos.snapshots->persist(std::move(s));
    }

    /// `load`, asynchronous: `void(error_code, Derived)`. Cancellation:
    /// terminal, partial, total (a read).
    template <detail::token Token = default_token>
    static auto async_load(repositories repos, std::string uuid, Token&& token = default_token()) {
        return async_load_(repos, std::move(uuid), nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    static auto async_load(repositories repos, std::string uuid, diagnostics& diag,
                           Token&& token = default_token()) {
        return async_load_(repos, std::move(uuid), &diag, std::forward<Token>(token));
    }

    /// `persist`, asynchronous: `void(error_code, std::vector<stored_event>)`.
    /// The aggregate must stay in place (not moved or destroyed) and unused
    /// until it completes. Cancellation: terminal, partial:
    /// `operation_aborted`, the append's outcome unknown (stored whole or
    /// not at all; the recorded events keep their ids, so persisting again
    /// returns them as stored if they were); total: ignored (it completes).
    /// Throws `es_error(invalid_argument)` at once without repositories.
    template <detail::token Token = default_token>
    auto async_persist(Token&& token = default_token()) {
        return async_persist_(nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_persist(diagnostics& diag, Token&& token = default_token()) {
        return async_persist_(&diag, std::forward<Token>(token));
    }

    /// `snapshot`, asynchronous: `void(error_code)`; the aggregate as for
    /// `async_persist`. Cancellation: terminal, partial: `operation_aborted`,
    /// the snapshot stored or not (a partial one is never read); total:
    /// ignored.
    template <detail::token Token = default_token>
    auto async_snapshot(Token&& token = default_token()) {
        return async_snapshot_(nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_snapshot(diagnostics& diag, Token&& token = default_token()) {
        return async_snapshot_(&diag, std::forward<Token>(token));
    }

protected:
    aggregate_root() = default;
    aggregate_root(const aggregate_root&) = default;
    aggregate_root(aggregate_root&&) noexcept = default;
    aggregate_root& operator=(const aggregate_root&) = default;
    aggregate_root& operator=(aggregate_root&&) noexcept = default;
    ~aggregate_root() = default;

private:
    friend struct aggregate_access;

    template <class Token>
    static auto async_load_(repositories repos, std::string uuid, diagnostics* diag,
                            Token&& token) {
        return detail::async_op<Derived>(
            repos.events->get_executor(),
            [repos, uuid = std::move(uuid)]() mutable { return load(repos, std::move(uuid)); },
            diag, cancellation_support::all, std::forward<Token>(token));
    }
    template <class Token>
    auto async_persist_(diagnostics* diag, Token&& token) {
        return detail::async_op<std::vector<stored_event>>(
            attached().events->get_executor(), [this] { return persist(); }, diag,
            cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token>
    auto async_snapshot_(diagnostics* diag, Token&& token) {
        return detail::async_op<void>(
            attached().events->get_executor(), [this] { return snapshot(); }, diag,
            cancellation_support::terminal_partial, std::forward<Token>(token));
    }

    Derived& derived() noexcept { return static_cast<Derived&>(*this); }
    const Derived& derived() const noexcept { return static_cast<const Derived&>(*this); }

    template <class E>
    static constexpr bool handles() {
        static_assert(aggregate_access::can_apply<Derived, E>,
                      "aggregate root: no handler for an event in its list; add "
                      "`void apply(const E&)` to the derived class (empty if the event changes "
                      "nothing; befriend ddb::es::aggregate_access if it is private)");
        return true;
    }

    static void check() {
        static_assert(std::is_base_of_v<aggregate_root, Derived> &&
                          std::is_convertible_v<Derived*, aggregate_root*>,
                      "derive publicly: struct X : ddb::es::aggregate_root<X, Events...>");
        static_assert(std::is_default_constructible_v<Derived>,
                      "an aggregate root must be default-constructible");
        static_assert(aggregate_access::has_snapshot_state<Derived> ==
                          aggregate_access::has_restore_state<Derived>,
                      "define both snapshot_state() and restore_state(bytes), or neither");
        static_assert((handles<Events>() && ...));
    }

    static void restore(Derived& d, const std::vector<std::uint8_t>& state) {
        if constexpr (custom_snapshot_state<Derived>)
            aggregate_access::restore_state(d, state);
        else
            restore_described_state(d, state);
    }

    template <class E>
    void apply_event(const E& e) {
        aggregate_access::apply(derived(), e);
        ++version_;
    }

    // A loaded event. The version is the stored one: the same as counting
    // while the aggregate's events are contiguous from 1, and still right
    // when early events have expired (TTL).
    void apply_stored(const stored_event& e) {
        const auto event = repos_->registry->decode<event_type>(e);
        std::visit([this](const auto& x) { aggregate_access::apply(derived(), x); }, event);
        version_ = e.aggregate_version > 0 ? e.aggregate_version : version_ + 1;
    }

    repositories attached() const {
        if (!repos_)
            throw es_error(es_errc::invalid_argument,
                           "aggregate root without repositories: make it with create() or load()");
        return *repos_;
    }

    // Ids for the recorded events that have none yet: drawn on the first
    // persist attempt, kept until success, so a retry sends the same ids.
    void assign_ids(event_repository& events) {
        while (recorded_ids_.size() < recorded_.size())
            recorded_ids_.push_back(events.new_id());
    }

    // After a refusal of the ids themselves (not stored: too old, or below
    // the stored version's id), the next attempt draws new ones. Whether
    // `e` was one.
    bool drop_refused_ids(const es_error& e) {
        if (e.kind() != es_errc::ids_expired && e.kind() != es_errc::id_order)
            return false;
        recorded_ids_.clear();
        return true;
    }

    append_request pending(const event_registry& registry) const {
        append_request r;
        r.uuid = uuid_;
        r.expected = expected_version::exact(persisted_version_);
        r.events.reserve(recorded_.size());
        for (std::size_t i = 0; i < recorded_.size(); ++i)
            r.events.push_back(
                std::visit([&](const auto& x) { return registry.encode(x, recorded_meta_[i]); },
                           recorded_[i]));
        for (std::size_t i = 0; i < recorded_ids_.size() && i < r.events.size(); ++i)
            r.events[i].id = recorded_ids_[i];
        return r;
    }

    void persisted(const std::vector<stored_event>& stored) {
        if (!stored.empty())
            version_ = std::max(version_, stored.back().aggregate_version);
        persisted_version_ = version_;
        recorded_.clear();
        recorded_meta_.clear();
        recorded_ids_.clear();
    }

    std::optional<repositories> repos_{};
    std::string uuid_{};
    std::int64_t version_ = 0;
    std::int64_t persisted_version_ = 0;
    std::vector<event_type> recorded_{};
    std::vector<boost::json::object> recorded_meta_{};
    std::vector<std::int64_t> recorded_ids_{}; // of the first recorded events
};

/** Persists several aggregates (of any types) atomically: one
    `append_all`, each at its expected version; all or nothing. Aggregates
    with nothing recorded are skipped. Returns the stored events, aggregate
    by aggregate, in argument order.

    Safe to call again after an unknown outcome, as `persist()` (the
    events keep the ids of the first attempt).

    @throws concurrency_conflict for the first stale aggregate (nothing is
            written, every queue is kept).
    @throws transaction_too_large beyond DynamoDB's transaction limits
            (100 actions including one check per aggregate at version > 0,
            4 MB), before sending.
    @throws es_error(ids_expired) as `persist()` (every aggregate's ids are
            dropped); `id_order` is handled as there. */
template <class... Aggregates>
boost::asio::awaitable<std::vector<stored_event>>
persist_in_transaction(repositories repos, Aggregates&... aggregates) {
    std::vector<std::vector<stored_event>> stored;
    for (int attempt = 0;; ++attempt) {
        std::vector<append_request> requests;
        (aggregate_access::assign_ids(aggregates, *repos.events), ...);
        (requests.push_back(aggregate_access::pending(aggregates, *repos.registry)), ...);
        try {
            stored = co_await repos.events->append_all(std::move(requests));
            break;
        } catch (const es_error& e) {
            // (Each aggregate's ids dropped when refused; id_order: once more.)
            const bool refused = (aggregate_access::drop_refused_ids(aggregates, e) && ...);
            if (!refused || e.kind() != es_errc::id_order || attempt > 0)
                throw;
        }
    }
    std::size_t i = 0;
    (aggregate_access::persisted(aggregates, stored[i++]), ...);
    std::vector<stored_event> out;
    for (auto& part : stored)
        for (auto& e : part)
            out.push_back(std::move(e));
    co_return out;
}

/// `persist_in_transaction`, asynchronous, with the aggregates as a tuple
/// of references (`std::tie(a, b)`): `void(error_code,
/// std::vector<stored_event>)`. The aggregates must stay in place and
/// unused until it completes. Cancellation: terminal, partial:
/// `operation_aborted`, the outcome unknown (all or nothing; persisting
/// again returns the events as stored if they were); total: ignored.
template <class... Aggregates, detail::token Token = default_token>
auto async_persist_in_transaction(repositories repos, std::tuple<Aggregates&...> aggregates,
                                  Token&& token = default_token()) {
    return detail::async_op<std::vector<stored_event>>(
        repos.events->get_executor(),
        [repos, aggregates] {
            return std::apply([&](auto&... a) { return persist_in_transaction(repos, a...); },
                              aggregates);
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <class... Aggregates, detail::token Token = default_token>
auto async_persist_in_transaction(repositories repos, std::tuple<Aggregates&...> aggregates,
                                  diagnostics& diag, Token&& token = default_token()) {
    return detail::async_op<std::vector<stored_event>>(
        repos.events->get_executor(),
        [repos, aggregates] {
            return std::apply([&](auto&... a) { return persist_in_transaction(repos, a...); },
                              aggregates);
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}

namespace aggregate_detail {
template <class T>
struct is_awaitable : std::false_type {};
template <class T, class Ex>
struct is_awaitable<boost::asio::awaitable<T, Ex>> : std::true_type {};
} // namespace aggregate_detail

/** Load, run `command(aggregate&)` (a plain function, or one returning an
    awaitable), persist; on `concurrency_conflict` reload and run it again,
    up to `max_attempts` in all, then rethrow the conflict. Returns the
    persisted aggregate. Other exceptions (the command's own) propagate at
    once. */
template <class Aggregate, class Command>
boost::asio::awaitable<Aggregate> retry_on_conflict(repositories repos, std::string uuid,
                                                    Command command, int max_attempts = 5) {
    using result = std::invoke_result_t<Command&, Aggregate&>;
    if (max_attempts < 1)
        throw es_error(es_errc::invalid_argument, "retry_on_conflict: max_attempts < 1");
    for (int attempt = 1;; ++attempt) {
        Aggregate a = co_await Aggregate::load(repos, uuid);
        if constexpr (aggregate_detail::is_awaitable<result>::value) {
            auto step = std::invoke(command, a);
            co_await std::move(step);
        } else {
            std::invoke(command, a);
        }
        try {
            co_await a.persist();
            co_return a;
        } catch (const concurrency_conflict&) {
            if (attempt >= max_attempts)
                throw;
        }
    }
}

/// `retry_on_conflict`, asynchronous: `void(error_code, Aggregate)`; the
/// command is kept (by value) until it completes. Cancellation: terminal,
/// partial: `operation_aborted`, the last append's outcome unknown (reload
/// to see); total: ignored.
template <class Aggregate, class Command, detail::token Token = default_token>
auto async_retry_on_conflict(repositories repos, std::string uuid, Command command,
                             int max_attempts, Token&& token = default_token()) {
    return detail::async_op<Aggregate>(
        repos.events->get_executor(),
        [repos, uuid = std::move(uuid), command = std::move(command), max_attempts]() mutable {
            return retry_on_conflict<Aggregate>(repos, std::move(uuid), std::move(command),
                                                max_attempts);
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <class Aggregate, class Command, detail::token Token = default_token>
auto async_retry_on_conflict(repositories repos, std::string uuid, Command command,
                             int max_attempts, diagnostics& diag, Token&& token = default_token()) {
    return detail::async_op<Aggregate>(
        repos.events->get_executor(),
        [repos, uuid = std::move(uuid), command = std::move(command), max_attempts]() mutable {
            return retry_on_conflict<Aggregate>(repos, std::move(uuid), std::move(command),
                                                max_attempts);
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}

} // namespace ddb::es
