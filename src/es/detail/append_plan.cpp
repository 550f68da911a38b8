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

void build(append_part& part, std::chrono::system_clock::time_point now, const store_config& config,
           const id_source& next_id, bool consume) {
    const std::optional<std::string> uuid = part.uuid;
    part.stored.clear();
    part.items.clear();
    part.sizes.clear();
    part.stored.reserve(part.events.size());
    part.items.reserve(part.events.size());
    part.sizes.reserve(part.events.size());
    for (std::size_t i = 0; i < part.events.size(); ++i) {
        new_event& e = part.events[i];
        const std::int64_t id = e.id ? *e.id : next_id();
        const std::int64_t version = part.base + 1 + static_cast<std::int64_t>(i);
        part.stored.push_back(consume ? make_stored_event(id, uuid, version, std::move(e), now)
                                      : make_stored_event(id, uuid, version, e, now));
        std::size_t size = 0;
        part.items.push_back(checked_item(part.stored.back(), config, &size));
        part.sizes.push_back(size);
    }
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
               const store_config& config, const id_source& next_id, bool consume) {
    for (auto& part : parts)
        build(part, now, config, next_id, consume);
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
