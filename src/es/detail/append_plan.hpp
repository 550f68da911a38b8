// Internal: the append plan both repositories follow (DynamoDB and in
// memory), so that their appends mean the same by construction: the
// arguments checked, the events built as stored at their versions (with
// their items and sizes), the TransactWriteItems size of writing them at
// once, and the chunks a long append is written in.
#pragma once

#include <ddb/es/event_repository.hpp>
#include <ddb/es/id_generator.hpp>
#include <ddb/es/store_config.hpp>
#include <ddb/value/item.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::es::detail {

/// Whether the events of an append carry caller ids: true when every one
/// has one, false when none has; `invalid_argument` for ids that are not
/// positive, repeated (also across calls sharing `seen`), or on only some.
bool given_ids(const std::vector<new_event>& events, std::set<std::int64_t>& seen);

/// The ids of events stored without an aggregate (`persist`,
/// `persist_many`), checked as `given_ids`.
void check_ids(const std::vector<new_event>& events);

/// `append`'s arguments checked, in this order: the uuid
/// (`invalid_aggregate_uuid`), the expected version (`invalid_argument`
/// when negative), the ids (as `given_ids`). Whether ids are given.
bool check_append(std::string_view uuid, const expected_version& expected,
                  const std::vector<new_event>& events);

/// One aggregate's part of an append: its events as stored at versions
/// base+1, base+2, ...
struct append_part {
    std::size_t index = 0; ///< in `append_all`'s requests
    std::string uuid;
    bool any = false;      ///< `expected_version::any()`: the base is the latest read
    std::int64_t base = 0; ///< the version the events follow
    std::vector<new_event> events;
    // Filled by `build`:
    std::vector<stored_event> stored{};
    std::vector<item> items{};        ///< stored[i]'s item, within DynamoDB's item limit
    std::vector<std::size_t> sizes{}; ///< item_size(items[i])
};

/// `append_all`'s requests checked (each as `check_append`; an aggregate
/// named twice; ids on every event of every request, or on none), as one
/// part per request with events, in request order, their events moved out
/// of `requests`; an exact part's base is its expected version, an `any`
/// one's 0 (the repository reads it). `given_ids`: whether ids are given.
std::vector<append_part> plan_append_all(std::vector<append_request>& requests, bool& given_ids);

/// A fresh event id above `floor` (0: no floor): the repository's
/// generator (`id_above`), or one of them not taken.
using id_source = std::function<std::int64_t(std::int64_t floor)>;

/// An id from `ids` above `floor`: `next_id()`, and when that is not above
/// it, `observe(floor)` and `next_id()` again; `id_order` when the
/// generator's ids stay at or below it (one that ignores `observe`).
std::int64_t id_above(id_generator& ids, std::int64_t floor);

/// Builds `part.stored`, `items` and `sizes` at `part.base`, in order: the
/// event's id, or when it has none `next_id(f)`, with f = `floor` (the id of
/// version `base` when known, else 0) for the first event and the previous
/// event's id after it; `make_stored_event`'s checks, then
/// `event_too_large`. The events are moved out of `part.events` when
/// `consume`, else copied (to build again at another base).
void build(append_part& part, std::chrono::system_clock::time_point now, const store_config& config,
           const id_source& next_id, bool consume, std::int64_t floor = 0);

/// Draws the ids of a built part's events from `begin` on again (ids the
/// repository drew, found below a stored id or grown older than
/// `max_append_age`): the first above `floor`, each above the one before;
/// their stored events and items follow (the sizes may change a little:
/// compute chunks after it).
void renumber(append_part& part, std::size_t begin, std::int64_t floor, const id_source& next_id,
              const store_config& config);

/// The first event of a built part after `begin` whose id is not above the
/// previous event's (caller ids in the wrong order); `stored.size()` when
/// they increase.
std::size_t out_of_order(const append_part& part, std::size_t begin);

/// `id_order`: `id` cannot follow id `previous` of version `version` of
/// aggregate `uuid`.
[[noreturn]] void throw_id_order(const std::string& uuid, std::int64_t version,
                                 std::int64_t previous, std::int64_t id);

/// How long events with ids from `ids` may still be sent, the first of them
/// `id`: `max_append_age` minus the id's age by the generator's clock
/// (<= 0: expired); empty when the generator has no clock.
std::optional<std::chrono::microseconds> time_left(id_generator& ids, std::int64_t id,
                                                   const store_config& config);

/// `ids_expired` for caller ids of which the first is `id`, not stored;
/// `stored` of the append's earlier events are (a chunked append).
[[noreturn]] void throw_ids_expired(std::int64_t id, id_generator& ids, const store_config& config,
                                    std::size_t stored);

/// The TransactWriteItems of writing `parts` at once: one ConditionCheck
/// per part at a base > 0 and one Put per event; the items' total size.
struct transaction_size {
    std::size_t actions = 0;
    std::size_t bytes = 0;
};
transaction_size size_of(const std::vector<append_part>& parts);

/// `build` of every part (part i with `floors[i]`, 0 beyond them), then
/// `transaction_too_large` beyond `max_transaction_actions` or
/// `max_transaction_bytes`.
void build_all(std::vector<append_part>& parts, std::chrono::system_clock::time_point now,
               const store_config& config, const id_source& next_id, bool consume,
               const std::vector<std::int64_t>& floors = {});

/// The end of the chunk of a built `part` that starts at event `begin`
/// (written at version base+begin): at most `max_transaction_actions`
/// actions (one of them the ConditionCheck when base+begin > 0) and
/// `max_transaction_bytes`, and at least one event.
std::size_t chunk_end(const append_part& part, std::size_t begin);

} // namespace ddb::es::detail
