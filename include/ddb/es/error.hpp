// ddb::es — the event store's errors.
#pragma once

#include <ddb/core/error.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

namespace ddb::es {

/// Category "ddb.es".
enum class es_errc {
    /// `find(id)`: no stored event has this id.
    event_not_found = 1,
    /// An append found another version than the one it expected.
    concurrency_conflict,
    /// An event's item is larger than DynamoDB's 400 KB item limit.
    event_too_large,
    /// An aggregate uuid that is empty, starts with '$' (reserved for the
    /// store's own items) or has a control character.
    invalid_aggregate_uuid,
    /// A stored item that is not a valid stored event (the message names the
    /// id and the attribute).
    invalid_stored_event,
    /// `update()` of an event that is not stored (or whose id differs).
    update_target_missing,
    /// Deprecated, no longer thrown: `create_tables` accepts existing tables
    /// with the right schema (see `table_schema_mismatch`). Kept so that the
    /// other codes keep their values.
    tables_exist [[deprecated("create_tables no longer throws it; see table_schema_mismatch")]],
    /// An invalid option or argument (the message says which).
    invalid_argument,
    /// The store's recorded layout differs from this repository's
    /// `store_config` where they must agree (the time bucket), or is of a
    /// layout version this library does not know.
    layout_mismatch,
    /// An event id that a stored event already has: a caller's id sent again
    /// with other content or to another place (a retried append must send
    /// the same events; new events need new ids), or several fresh ids in a
    /// row taken (a broken id generator). Nothing of the event was stored.
    duplicate_id,
    /// `create_tables` found a table (or its TTL setting) that differs from
    /// the store's specification; the message names the table and each
    /// difference.
    table_schema_mismatch,
    /// A checkpoint store's renew or commit with a lease that is no longer
    /// the caller's: another worker took the partition over (its fence
    /// moved) or the lease was released. Nothing was written; stop working
    /// on the partition.
    lease_lost,
    /// An exactly-once commit whose lease still holds, but the partition's
    /// checkpoint is not at the lease's position any more (a commit from a
    /// stale copy of the lease). Nothing was written.
    checkpoint_moved,
    /// An item of the checkpoints table that is not what the store writes
    /// (the message names the table, the key and the attribute).
    invalid_checkpoint_item,
    /// An append's event id not above the id of the version before it (its
    /// aggregate's previous version, or the append's previous event): ids
    /// increase per aggregate whatever the writers' clocks. Caller ids only
    /// (ids the repository draws are drawn again above it); the repository's
    /// generator has observed the stored id, so `new_id()` now draws above
    /// it. Nothing of the append's chunk was stored.
    id_order,
    /// Caller ids older than `store_config::max_append_age` (by the
    /// repository's generator's clock) that are not already stored: draw new
    /// ids with `new_id()` and append again; nothing of the chunk was stored
    /// (the message says how many earlier events of the append were). Also
    /// an append whose write attempts did not complete within that age,
    /// however often its ids were drawn again.
    ids_expired,
    /// The store was written with the old global-index layout (events spread
    /// over shards by id): every read and write refuses it until
    /// `ddb-es migrate` (or `migrate_layout`, <ddb/es/migrate.hpp>) has
    /// rewritten it; the message names the table.
    old_layout,
    /// The endpoint refused or ignored a stream setting of the events table
    /// (<ddb/es/events_stream.hpp>): dynalite, for one, has no DynamoDB
    /// Streams. The message names the table and the endpoint's answer.
    stream_unavailable,
};

const boost::system::error_category& es_category() noexcept;

inline error_code make_error_code(es_errc e) noexcept {
    return {static_cast<int>(e), es_category()};
}

/// Base of the event store's own errors (DynamoDB's errors keep their
/// `ddb::service_error` types).
class es_error : public ddb::error {
public:
    es_error(es_errc e, const std::string& message)
        : ddb::error(make_error_code(e), message) {}
    es_errc kind() const noexcept { return static_cast<es_errc>(code().value()); }
};

/// Another writer got there first: the aggregate is at `actual()`, not at
/// `expected()`. Reload and retry (see `retry_on_conflict`).
class concurrency_conflict : public es_error {
public:
    concurrency_conflict(std::string uuid, std::int64_t expected, std::int64_t actual);
    const std::string& aggregate_uuid() const noexcept { return uuid_; }
    std::int64_t expected() const noexcept { return expected_; }
    std::int64_t actual() const noexcept { return actual_; }

private:
    std::string uuid_;
    std::int64_t expected_, actual_;
};

class event_not_found : public es_error {
public:
    explicit event_not_found(std::int64_t id);
    std::int64_t id() const noexcept { return id_; }

private:
    std::int64_t id_;
};

class event_too_large : public es_error {
public:
    event_too_large(std::size_t size, std::size_t limit);
    std::size_t size() const noexcept { return size_; }
    std::size_t limit() const noexcept { return limit_; }

private:
    std::size_t size_, limit_;
};

} // namespace ddb::es

template <>
struct boost::system::is_error_code_enum<ddb::es::es_errc> : std::true_type {};
