#include <ddb/es/in_memory_event_repository.hpp>

#include <ddb/es/error.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/es/partition.hpp>

#include "detail/append_plan.hpp"
#include "detail/event_item.hpp"

#include <map>
#include <mutex>
#include <set>
#include <span>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::system_clock;

// The events, shared by the repositories on them (each with its own id
// generator, as writers on one table); the id generator is passed in.
struct in_memory_event_repository::state {
    asio::any_io_executor ex;
    store_config cfg;
    std::mutex mutex;
    std::map<std::int64_t, stored_event> by_id;
    std::map<std::string, std::vector<std::int64_t>, std::less<>> aggregates; // ids by version

    // A fresh id above `floor`, not taken.
    std::int64_t fresh_id(id_generator& ids, std::int64_t floor = 0) {
        std::int64_t id = detail::id_above(ids, floor);
        while (by_id.count(id))
            id = detail::id_above(ids, id);
        return id;
    }

    // An event without an aggregate: the caller's id, or a fresh one.
    stored_event make(id_generator& ids, const std::optional<std::string>& uuid,
                      std::int64_t version, new_event e, system_clock::time_point now) {
        const std::int64_t id = e.id ? *e.id : fresh_id(ids);
        auto s = detail::make_stored_event(id, uuid, version, std::move(e), now);
        detail::checked_item(s, cfg); // the same limit as DynamoDB's, on the same encoding
        return s;
    }

    std::int64_t latest(const std::string& uuid) const {
        auto found = aggregates.find(uuid);
        return found == aggregates.end() ? 0 : static_cast<std::int64_t>(found->second.size());
    }

    // The id of version `version` of `uuid`; 0 for none (version 0 or
    // beyond the latest).
    std::int64_t id_at(const std::string& uuid, std::int64_t version) const {
        auto found = aggregates.find(uuid);
        if (found == aggregates.end() || version < 1 ||
            version > static_cast<std::int64_t>(found->second.size()))
            return 0;
        return found->second[static_cast<std::size_t>(version - 1)];
    }

    // The base of an `any()` append: the latest version, or the version
    // before the first event when an earlier attempt stored it (memory sees
    // every event, so no window as DynamoDB's).
    std::int64_t any_base(const std::string& uuid, const std::vector<new_event>& events,
                          bool given_ids) const {
        if (given_ids && !events.empty()) {
            auto found = by_id.find(*events.front().id);
            if (found != by_id.end() && found->second.aggregate_uuid == uuid)
                return found->second.aggregate_version - 1;
        }
        return latest(uuid);
    }

    // The leading events of `out` (versions base+1, ...) an earlier attempt
    // of the same append stored, as stored.
    std::vector<stored_event> stored_prefix(const std::string& uuid, std::int64_t base,
                                            const std::vector<stored_event>& out) const {
        std::vector<stored_event> there;
        auto found = aggregates.find(uuid);
        if (found != aggregates.end())
            for (std::size_t i = 0; i < out.size(); ++i) {
                const auto v = base + static_cast<std::int64_t>(i);
                if (v < 0 || v >= static_cast<std::int64_t>(found->second.size()))
                    break;
                there.push_back(by_id.at(found->second[static_cast<std::size_t>(v)]));
            }
        return detail::stored_prefix(out, base, std::move(there));
    }

    // An id of a new event that another stored event has: refused (DynamoDB
    // cannot see every such id, memory can and cannot keep two).
    void check_free(const std::vector<stored_event>& events, std::size_t from = 0) const {
        for (std::size_t i = from; i < events.size(); ++i)
            if (auto found = by_id.find(events[i].id); found != by_id.end())
                detail::throw_id_taken(found->second);
    }

    // A fresh id above the floor, not taken (the lock is held).
    detail::id_source id_source(id_generator& ids) {
        return [this, &ids](std::int64_t floor) { return fresh_id(ids, floor); };
    }

    // The rules on caller ids from event `j` of a built part on (the events
    // before it found stored), in DynamoDB's order: not older than
    // max_append_age, increasing within the append; then, after the version
    // check, above the id at the version they follow (`check_above`).
    void check_caller_ids(const detail::append_part& part, std::size_t j, id_generator& ids) const {
        const auto& out = part.stored;
        if (j >= out.size())
            return;
        if (auto left = detail::time_left(ids, out[j].id, cfg); left && left->count() <= 0)
            detail::throw_ids_expired(out[j].id, ids, cfg, j);
        if (auto i = detail::out_of_order(part, j); i < out.size())
            detail::throw_id_order(part.uuid, out[i - 1].aggregate_version, out[i - 1].id,
                                   out[i].id);
    }
    void check_above(const detail::append_part& part, std::size_t j, id_generator& ids) const {
        const auto& out = part.stored;
        const std::int64_t version = part.base + static_cast<std::int64_t>(j);
        const std::int64_t previous = id_at(part.uuid, version);
        if (j < out.size() && version > 0 && out[j].id <= previous) {
            ids.observe(previous);
            detail::throw_id_order(part.uuid, version, previous, out[j].id);
        }
    }

    // Our own earlier attempt (a caller's retry with the same ids) of a
    // built part whose aggregate is at `actual`: the leading events of it
    // that are stored, as stored.
    std::vector<stored_event> own_attempt(const detail::append_part& part, std::int64_t actual,
                                          bool given_ids) const {
        if (!given_ids || part.base >= actual)
            return {};
        return stored_prefix(part.uuid, part.base, part.stored);
    }

    void store(const std::string& uuid, std::span<const stored_event> events) {
        auto& ids_of = aggregates[uuid];
        for (const auto& e : events) {
            ids_of.push_back(e.id);
            by_id.emplace(e.id, e);
        }
    }

    std::vector<stored_event> append_locked(detail::append_part& part, bool given_ids,
                                            id_generator& ids) {
        const std::int64_t actual = latest(part.uuid);
        if (part.any)
            part.base = any_base(part.uuid, part.events, given_ids);
        // Drawn ids above the id the write follows.
        detail::build(part, system_clock::now(), cfg, id_source(ids), true,
                      id_at(part.uuid, part.base));
        auto& out = part.stored;
        std::vector<stored_event> mine = own_attempt(part, actual, given_ids);
        const std::size_t j = mine.size();
        if (given_ids)
            check_caller_ids(part, j, ids);
        // Not at the expected version; for any(), base is behind the latest
        // only when our first event is stored (then j > 0: a retry with more
        // events, whose rest cannot follow them, as on DynamoDB).
        if ((out.empty() || j < out.size()) && part.base + static_cast<std::int64_t>(j) != actual)
            throw concurrency_conflict(part.uuid, part.base + static_cast<std::int64_t>(j), actual);
        check_free(out, j);
        check_above(part, j, ids);
        for (std::size_t i = 0; i < j; ++i)
            out[i] = std::move(mine[i]);
        store(part.uuid, std::span<const stored_event>(out).subspan(j));
        return std::move(out);
    }

    // append_all's parts (built): all or nothing, as DynamoDB's transaction.
    std::vector<std::vector<stored_event>> append_parts(std::vector<detail::append_part>& parts,
                                                        const std::vector<std::int64_t>& actual,
                                                        bool given_ids, std::size_t requests,
                                                        id_generator& ids) {
        std::vector<std::vector<stored_event>> out(requests);
        // Our own earlier attempt? Only when every part is.
        if (given_ids) {
            bool ours = true;
            for (std::size_t i = 0; i < parts.size() && ours; ++i) {
                out[parts[i].index] = own_attempt(parts[i], actual[i], given_ids);
                ours = out[parts[i].index].size() == parts[i].stored.size();
            }
            if (ours)
                return out;
            for (auto& part : parts)
                check_caller_ids(part, 0, ids);
        }
        // Not at the expected version. (An any() part behind the latest
        // version: only when its first event's id is stored there, a retry
        // not wholly ours, which check_free refuses.)
        for (std::size_t i = 0; i < parts.size(); ++i)
            if (parts[i].base != actual[i] && !parts[i].any)
                throw concurrency_conflict(parts[i].uuid, parts[i].base, actual[i]);
        for (auto& part : parts)
            check_free(part.stored);
        for (auto& part : parts)
            check_above(part, 0, ids);
        for (auto& part : parts) {
            store(part.uuid, part.stored);
            out[part.index] = std::move(part.stored);
        }
        return out;
    }

    generator<stored_event> emit(std::vector<stored_event> events) {
        auto shared = std::make_shared<std::vector<stored_event>>(std::move(events));
        return generator<stored_event>(
            ex,
            [shared](generator<stored_event>::sink& out) -> awaitable<void> {
                co_await out.push_batch(std::move(*shared));
            },
            1);
    }

    // An aggregate's events; `ids` observes the latest one read.
    std::vector<stored_event> of_aggregate(const std::string& uuid, std::int64_t min_id,
                                           std::int64_t after_version, id_generator* ids) {
        std::vector<stored_event> out;
        auto found = aggregates.find(uuid);
        if (found == aggregates.end())
            return out;
        for (std::size_t i = 0; i < found->second.size(); ++i) {
            const auto& e = by_id.at(found->second[i]);
            if (e.id >= min_id && e.aggregate_version > after_version)
                out.push_back(e);
        }
        if (ids && !out.empty())
            ids->observe(out.back().id);
        return out;
    }

    std::vector<stored_event> global(std::int64_t min_id) {
        std::vector<stored_event> out;
        for (auto it = by_id.lower_bound(min_id); it != by_id.end(); ++it)
            out.push_back(it->second);
        return out;
    }
};

in_memory_event_repository::in_memory_event_repository(asio::any_io_executor ex,
                                                       std::shared_ptr<id_generator> ids,
                                                       store_config config)
    : state_(std::make_shared<state>())
    , ids_(ids ? std::move(ids) : std::make_shared<timestamp_id_generator>()) {
    state_->ex = std::move(ex);
    state_->cfg = std::move(config);
    detail::check_layout_options(state_->cfg);
}

in_memory_event_repository::in_memory_event_repository(const in_memory_event_repository& other,
                                                       std::shared_ptr<id_generator> ids)
    : state_(other.state_)
    , ids_(ids ? std::move(ids) : std::make_shared<timestamp_id_generator>()) {}

in_memory_event_repository::~in_memory_event_repository() = default;

awaitable<stored_event> in_memory_event_repository::find(std::int64_t id) {
    std::lock_guard lock(state_->mutex);
    auto found = state_->by_id.find(id);
    if (found == state_->by_id.end())
        throw event_not_found(id);
    co_return found->second;
}

generator<stored_event> in_memory_event_repository::retrieve_all(std::optional<std::string> uuid,
                                                                 read_options options) {
    return retrieve_all_starting_from(0, std::move(uuid), options);
}

generator<stored_event> in_memory_event_repository::retrieve_all_starting_from(
    std::int64_t from, std::optional<std::string> uuid, read_options options) {
    if (uuid)
        detail::check_uuid(*uuid);
    std::lock_guard lock(state_->mutex);
    if (uuid)
        return state_->emit(state_->of_aggregate(
            *uuid, from, std::numeric_limits<std::int64_t>::min(), ids_.get()));
    auto events = state_->global(from);
    if (!options.partitions.empty()) {
        // As the DynamoDB repository: the events of these index partitions.
        const int count = state_->cfg.partitions;
        std::vector<bool> wanted(static_cast<std::size_t>(count), false);
        for (int p : detail::partitions_to_read(options.partitions, count))
            wanted[static_cast<std::size_t>(p)] = true;
        std::erase_if(events, [&](const stored_event& e) {
            return !wanted[static_cast<std::size_t>(index_partition(e, count))];
        });
    }
    if (options.settle) {
        // As the DynamoDB repository: hold back ids younger than `settle`.
        const auto cutoff = std::chrono::duration_cast<std::chrono::microseconds>(
                                (system_clock::now() - *options.settle).time_since_epoch())
                                .count();
        std::erase_if(events, [&](const stored_event& e) { return e.id / 1000 > cutoff; });
    }
    return state_->emit(std::move(events));
}

generator<stored_event> in_memory_event_repository::retrieve_all_after_version(std::int64_t version,
                                                                               std::string uuid,
                                                                               read_options) {
    detail::check_uuid(uuid);
    std::lock_guard lock(state_->mutex);
    return state_->emit(
        state_->of_aggregate(uuid, std::numeric_limits<std::int64_t>::min(), version, ids_.get()));
}

awaitable<std::int64_t>
in_memory_event_repository::count_all_starting_from(std::int64_t from,
                                                    std::optional<std::string> uuid) {
    if (uuid)
        detail::check_uuid(*uuid);
    std::lock_guard lock(state_->mutex);
    if (uuid)
        co_return static_cast<std::int64_t>(
            state_->of_aggregate(*uuid, from, std::numeric_limits<std::int64_t>::min(), nullptr)
                .size());
    co_return static_cast<std::int64_t>(
        std::distance(state_->by_id.lower_bound(from), state_->by_id.end()));
}

awaitable<std::vector<stored_event>>
in_memory_event_repository::append(std::string uuid, expected_version expected,
                                   std::vector<new_event> events) {
    const bool given_ids = detail::check_append(uuid, expected, events);
    const bool any = expected.mode == expected_version::kind::any;
    detail::append_part part{0, std::move(uuid), any, any ? 0 : expected.version,
                             std::move(events)};
    std::lock_guard lock(state_->mutex);
    co_return state_->append_locked(part, given_ids, *ids_);
}

awaitable<std::vector<std::vector<stored_event>>>
in_memory_event_repository::append_all(std::vector<append_request> requests) {
    bool given_ids = false;
    auto parts = detail::plan_append_all(requests, given_ids);
    auto& st = *state_;
    std::lock_guard lock(st.mutex);
    // Built first, as DynamoDB's repository does: the limits are checked
    // before the versions, and nothing is stored unless everything fits.
    std::vector<std::int64_t> actual(parts.size(), 0);
    std::vector<std::int64_t> floors(parts.size(), 0);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        actual[i] = st.latest(parts[i].uuid);
        if (parts[i].any)
            parts[i].base = st.any_base(parts[i].uuid, parts[i].events, given_ids);
        floors[i] = st.id_at(parts[i].uuid, parts[i].base);
    }
    detail::build_all(parts, system_clock::now(), st.cfg, st.id_source(*ids_), true, floors);
    co_return st.append_parts(parts, actual, given_ids, requests.size(), *ids_);
}

awaitable<stored_event> in_memory_event_repository::persist(new_event event,
                                                            std::optional<std::string> uuid) {
    std::vector<new_event> one;
    one.push_back(std::move(event));
    auto stored = co_await persist_many(std::move(one), std::move(uuid));
    co_return std::move(stored.front());
}

awaitable<std::vector<stored_event>>
in_memory_event_repository::persist_many(std::vector<new_event> events,
                                         std::optional<std::string> uuid) {
    if (uuid)
        co_return co_await append(std::move(*uuid), expected_version::any(), std::move(events));
    detail::check_ids(events);
    std::lock_guard lock(state_->mutex);
    const auto now = system_clock::now();
    std::vector<stored_event> out;
    std::vector<bool> there(events.size(), false);
    for (std::size_t i = 0; i < events.size(); ++i) {
        out.push_back(state_->make(*ids_, std::nullopt, 0, std::move(events[i]), now));
        // A caller's id already stored: its event as stored (a retry), or
        // a typed refusal; not stored and older than max_append_age: refused.
        if (auto found = state_->by_id.find(out.back().id); found != state_->by_id.end()) {
            if (!detail::same_event(out.back(), found->second))
                detail::throw_id_taken(found->second);
            out.back() = found->second;
            there[i] = true;
        } else if (auto left = detail::time_left(*ids_, out.back().id, state_->cfg);
                   left && left->count() <= 0) {
            detail::throw_ids_expired(out.back().id, *ids_, state_->cfg, 0);
        }
    }
    for (std::size_t i = 0; i < out.size(); ++i)
        if (!there[i])
            state_->by_id.emplace(out[i].id, out[i]);
    co_return out;
}

awaitable<stored_event> in_memory_event_repository::update(stored_event event) {
    if (event.aggregate_uuid)
        detail::check_uuid(*event.aggregate_uuid);
    std::lock_guard lock(state_->mutex);
    auto found = state_->by_id.find(event.id);
    if (found == state_->by_id.end() || found->second.aggregate_uuid != event.aggregate_uuid ||
        found->second.aggregate_version != event.aggregate_version)
        throw es_error(es_errc::update_target_missing,
                       "update: no stored event " + std::to_string(event.id) + " at version " +
                           std::to_string(event.aggregate_version) + " of its aggregate");
    detail::checked_item(event, state_->cfg);
    found->second = event;
    co_return event;
}

awaitable<int> in_memory_event_repository::partition_count() {
    co_return state_->cfg.partitions;
}

asio::any_io_executor in_memory_event_repository::get_executor() const {
    return state_->ex;
}

const store_config& in_memory_event_repository::config() const noexcept {
    return state_->cfg;
}

std::int64_t in_memory_event_repository::new_id() {
    std::lock_guard lock(state_->mutex);
    return state_->fresh_id(*ids_);
}

awaitable<std::int64_t> in_memory_event_repository::latest_aggregate_version(std::string uuid) {
    detail::check_uuid(uuid);
    std::lock_guard lock(state_->mutex);
    const std::int64_t latest = state_->latest(uuid);
    if (latest > 0)
        ids_->observe(state_->id_at(uuid, latest));
    co_return latest;
}

} // namespace ddb::es
