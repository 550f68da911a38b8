// ddb::es — event ids: 64-bit integers of 19 digits that follow the clock.
//
// An id is the current time in microseconds followed by random digits, so
// ids sort by time, stay unique within one generator, and fit DynamoDB's N
// type and an int64. Layout and range are those of the PHP package the event
// store ports (TimeStampIdGenerator); the strict increase is the port's own.
#pragma once

#include <ddb/es/id_error.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace ddb::es {

/// The clock an id generator reads: microseconds since the Unix epoch.
/// Replace it to pin the time (tests) or to share one clock source.
class timestamp_provider {
public:
    virtual ~timestamp_provider() = default;
    virtual std::int64_t microseconds_since_epoch() = 0;
};

/// `std::chrono::system_clock` in microseconds since the Unix epoch (16
/// digits from 2001-09-09 to 2286-11-20). Thread safety: safe.
class system_timestamp_provider final : public timestamp_provider {
public:
    std::int64_t microseconds_since_epoch() override;
};

/// Makes the ids of stored events and snapshots. Replace it to use another
/// id scheme; ids must be positive and unique, and must grow with time: the
/// tables order events by id, and an append requires each event's id above
/// the id of its aggregate's previous version (`es_errc::id_order`).
///
/// Thread safety: implementations must allow concurrent calls (the
/// repositories share one among their operations).
class id_generator {
public:
    virtual ~id_generator() = default;
    virtual std::int64_t next_id() = 0;

    /// An id seen in the store (an aggregate's latest event, read before
    /// appending to it): later ids should be above it, whatever this
    /// generator's clock says. The repositories call it for the events of
    /// per-aggregate reads and before drawing ids again after an append
    /// found a higher id at its base. Default: nothing (a generator that
    /// ignores it gets `id_order` when its ids stay below).
    virtual void observe(std::int64_t id) { (void)id; }

    /// How long ago, by this generator's clock, `id` was made (negative: an
    /// id ahead of the clock); empty when its ids do not follow a clock.
    /// The appends' `store_config::max_append_age` rule reads it; default:
    /// empty (the rule does not apply).
    virtual std::optional<std::chrono::microseconds> age_of(std::int64_t id) {
        (void)id;
        return std::nullopt;
    }
};

/// The default generator. For a timestamp `ts` of n digits (n <= 18) the
/// candidate id is `ts * 10^(19-n) + r`, with `r` uniform in
/// [0, 10^(19-n) - 1]: 19 digits, never below 10^18. Today that is
/// `microseconds * 1000 + r`.
///
/// Ids from one generator strictly increase, even when the clock stands
/// still or steps back: each id is `max(candidate, previous id + 1)`. When
/// one microsecond's 1000 ids run out, or the clock steps back, ids run
/// ahead of the clock until it catches up. Two generators (two processes,
/// two hosts) at the same microsecond may return the same id: ids are unique
/// only within one generator.
///
/// `observe(id)` sets a floor: later ids are in a later timestamp than the
/// floor's, `max(candidate, (floor / 10^(19-n) + 1) * 10^(19-n) + r)`, with
/// the same random `r` (two generators pushed over one floor still differ
/// in their random digits). So a writer whose clock is behind another's
/// draws ids above the events it read, and runs ahead of its clock until it
/// catches up.
///
/// `next_id` throws `id_error`: `clock_before_epoch` for ts <= 0,
/// `clock_out_of_range` for ts of more than 18 digits, `id_overflow` when the
/// id would exceed INT64_MAX. That happens at the top of each digit length:
/// for 16 digits from ts = 9223372036854775 (2262-04-11) to 9999999999999999
/// (2286-11-20), for 15 digits from 922337203685477, and so on; or when the
/// generator has returned INT64_MAX. A failed call changes nothing.
///
/// Thread safety: distinct objects: safe. Shared objects: safe: every
/// member may be called concurrently (one mutex).
class timestamp_id_generator final : public id_generator {
public:
    /// `clock`: the time source (null means the system clock). `random`: a
    /// source of uniform 64-bit values, called under the mutex; empty means a
    /// `std::mt19937_64` seeded from `std::random_device`. `r` is a value of
    /// `random` modulo 10^(19-n); values from the top partial block of the
    /// 64-bit range are drawn again, so `r` is exactly uniform.
    explicit timestamp_id_generator(
        std::shared_ptr<timestamp_provider> clock = std::make_shared<system_timestamp_provider>(),
        std::function<std::uint64_t()> random = {});

    std::int64_t next_id() override;
    void observe(std::int64_t id) override;
    /// The clock's time minus the id's timestamp (ids of the clock's digit
    /// count); empty when the clock is out of range (see `next_id`).
    std::optional<std::chrono::microseconds> age_of(std::int64_t id) override;

private:
    std::shared_ptr<timestamp_provider> clock_;
    std::function<std::uint64_t()> random_;
    std::mutex mutex_;
    std::int64_t last_ = 0;  // 0: no id returned yet
    std::int64_t floor_ = 0; // the highest observed id (0: none)
};

/// The smallest id of microsecond `us` (`us * 1000`), e.g. the start of an id
/// range for a time query. Valid for 16-digit timestamps (2001-09-09 to
/// 2286-11-20; ids overflow from 2262-04-11, see `timestamp_id_generator`).
constexpr std::int64_t id_from_microseconds(std::int64_t us) {
    return us * 1000;
}

/// The microsecond an id was made in (`id / 1000`), for ids of 16-digit
/// timestamps. An id that ran ahead of the clock (see
/// `timestamp_id_generator`) gives a slightly later time.
constexpr std::int64_t microseconds_of_id(std::int64_t id) {
    return id / 1000;
}

} // namespace ddb::es
