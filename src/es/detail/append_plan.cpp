#include "append_plan.hpp"

#include "event_item.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/event_error.hpp>

namespace ddb::es::detail {

bool given_ids(const std::vector<new_event>& events, std::set<std::int64_t>& seen) {
    std::size_t with = 0;
    for (const auto& e : events) {
        if (!e.id)
            continue;
        ++with;
        if (*e.id <= 0)
            throw es_error(es_errc::invalid_argument,
                           "event id " + std::to_string(*e.id) + " is not positive");
        if (!seen.insert(*e.id).second)
            throw es_error(es_errc::invalid_argument,
                           "event id " + std::to_string(*e.id) + " is given twice in one append");
    }
    if (with != 0 && with != events.size())
        throw es_error(es_errc::invalid_argument,
                       "only some events of the append have ids: give every event an id, or none");
    return with != 0;
}

void check_ids(const std::vector<new_event>& events) {
    std::set<std::int64_t> seen;
    given_ids(events, seen);
}

namespace {

void check_target(std::string_view uuid, const expected_version& expected) {
    check_uuid(uuid);
    if (expected.mode == expected_version::kind::exact && expected.version < 0)
        throw es_error(es_errc::invalid_argument, "expected version is negative");
}

} // namespace

bool check_append(std::string_view uuid, const expected_version& expected,
                  const std::vector<new_event>& events) {
    check_target(uuid, expected);
    std::set<std::int64_t> seen;
    return given_ids(events, seen);
}

std::vector<append_part> plan_append_all(std::vector<append_request>& requests, bool& given) {
    std::set<std::string_view> seen;
    std::set<std::int64_t> seen_ids;
    std::size_t with_ids = 0, events = 0;
    for (const auto& r : requests) {
        check_target(r.uuid, r.expected);
        if (!seen.insert(r.uuid).second)
            throw es_error(es_errc::invalid_argument,
                           "append_all: aggregate " + r.uuid + " is named twice");
        with_ids += given_ids(r.events, seen_ids) ? r.events.size() : 0;
        events += r.events.size();
    }
    if (with_ids != 0 && with_ids != events)
        throw es_error(es_errc::invalid_argument,
                       "append_all: only some requests have event ids: give every event an id, "
                       "or none");
    given = with_ids != 0;
    std::vector<append_part> parts;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        auto& r = requests[i];
        if (r.events.empty())
            continue;
        const bool any = r.expected.mode == expected_version::kind::any;
        // (Moved: `seen`, which views the uuids, is not used again.)
        parts.push_back(append_part{i, std::move(r.uuid), any, any ? 0 : r.expected.version,
                                    std::move(r.events)});
    }
    return parts;
}

std::int64_t id_above(id_generator& ids, std::int64_t floor) {
    std::int64_t id = ids.next_id();
    for (int attempt = 0; id <= floor && attempt < 3; ++attempt) {
        ids.observe(floor);
        id = ids.next_id();
    }
    if (id <= floor)
        throw es_error(es_errc::id_order, "the id generator returned id " + std::to_string(id) +
                                              " after observing id " + std::to_string(floor) +
                                              ": an event's id must be above its aggregate's "
                                              "previous one (implement id_generator::observe)");
    return id;
}

void build(append_part& part, std::chrono::system_clock::time_point now, const store_config& config,
           const id_source& next_id, bool consume, std::int64_t floor) {
    const std::optional<std::string> uuid = part.uuid;
    part.stored.clear();
    part.items.clear();
    part.sizes.clear();
    part.stored.reserve(part.events.size());
    part.items.reserve(part.events.size());
    part.sizes.reserve(part.events.size());
    for (std::size_t i = 0; i < part.events.size(); ++i) {
        new_event& e = part.events[i];
        const std::int64_t id = e.id ? *e.id : next_id(i ? part.stored.back().id : floor);
        const std::int64_t version = part.base + 1 + static_cast<std::int64_t>(i);
        part.stored.push_back(consume ? make_stored_event(id, uuid, version, std::move(e), now)
                                      : make_stored_event(id, uuid, version, e, now));
        std::size_t size = 0;
        part.items.push_back(checked_item(part.stored.back(), config, &size));
        part.sizes.push_back(size);
    }
}

void renumber(append_part& part, std::size_t begin, std::int64_t floor, const id_source& next_id,
              const store_config& config) {
    for (std::size_t i = begin; i < part.stored.size(); ++i) {
        stored_event& e = part.stored[i];
        e.id = next_id(i > begin ? part.stored[i - 1].id : floor);
        e.meta_data[meta::stored_event_id] = e.id;
        part.items[i] = checked_item(e, config, &part.sizes[i]);
    }
}

std::size_t out_of_order(const append_part& part, std::size_t begin) {
    for (std::size_t i = begin + 1; i < part.stored.size(); ++i)
        if (part.stored[i].id <= part.stored[i - 1].id)
            return i;
    return part.stored.size();
}

void throw_id_order(const std::string& uuid, std::int64_t version, std::int64_t previous,
                    std::int64_t id) {
    throw es_error(es_errc::id_order,
                   "event id " + std::to_string(id) + " cannot follow id " +
                       std::to_string(previous) + " of version " + std::to_string(version) +
                       " of aggregate " + uuid +
                       ": event ids must be above it (they increase per aggregate); draw new "
                       "ids with new_id() (now above it) and append again; nothing was stored");
}

std::optional<std::chrono::microseconds> time_left(id_generator& ids, std::int64_t id,
                                                   const store_config& config) {
    const auto age = ids.age_of(id);
    if (!age)
        return std::nullopt;
    return std::chrono::duration_cast<std::chrono::microseconds>(config.max_append_age) - *age;
}

void throw_ids_expired(std::int64_t id, id_generator& ids, const store_config& config,
                       std::size_t stored) {
    const auto age = ids.age_of(id).value_or(std::chrono::microseconds(0));
    throw es_error(
        es_errc::ids_expired,
        "event id " + std::to_string(id) + " was drawn " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(age).count()) +
            " ms ago by the id generator's clock, more than store_config::max_append_age (" +
            std::to_string(config.max_append_age.count()) +
            " ms), and is not stored: draw new ids with new_id() and append again (" +
            (stored ? "the append's first " + std::to_string(stored) + " events are stored"
                    : std::string("nothing of the append is stored")) +
            ")");
}

transaction_size size_of(const std::vector<append_part>& parts) {
    transaction_size t;
    for (const auto& part : parts) {
        if (part.base > 0)
            ++t.actions;
        t.actions += part.sizes.size();
        for (std::size_t size : part.sizes)
            t.bytes += size;
    }
    return t;
}

void build_all(std::vector<append_part>& parts, std::chrono::system_clock::time_point now,
               const store_config& config, const id_source& next_id, bool consume,
               const std::vector<std::int64_t>& floors) {
    for (std::size_t i = 0; i < parts.size(); ++i)
        build(parts[i], now, config, next_id, consume, i < floors.size() ? floors[i] : 0);
    const transaction_size t = size_of(parts);
    if (t.actions > max_transaction_actions || t.bytes > max_transaction_bytes)
        throw transaction_too_large(t.actions, t.bytes);
}

std::size_t chunk_end(const append_part& part, std::size_t begin) {
    const std::int64_t base = part.base + static_cast<std::int64_t>(begin);
    const std::size_t limit = max_transaction_actions - (base > 0 ? 1 : 0);
    std::size_t end = begin, bytes = 0;
    while (end < part.sizes.size() && end - begin < limit) {
        if (end > begin && bytes + part.sizes[end] > max_transaction_bytes)
            break;
        bytes += part.sizes[end];
        ++end;
    }
    return end;
}

} // namespace ddb::es::detail
