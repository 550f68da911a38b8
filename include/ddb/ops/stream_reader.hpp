// ddb — reading DynamoDB Streams as asynchronous generators: one shard
// (`read_shard`) or a whole stream (`read_stream`: every shard, parents before
// children, new shards followed as they appear), with what a long-running
// reader needs: expired iterators re-acquired after the last record yielded,
// back-off on `limit_exceeded` and throttling, a bounded request rate while
// idle, trimmed records reported as a `trimmed_gap`, and restarts from a
// `stream_checkpoint`. docs/streams.md, "Reading a stream".
//
// The generators (<ddb/ops/generator.hpp>) hold a handle sharing the
// client's state (`streams_client::share()`): they may outlive the caller's
// client object. Destroying one (or `close()`) stops its reads and waits.
// Thread safety: the generator's; option hooks are called on the
// generator's producer strand.
#pragma once

#include <ddb/client/streams_client.hpp>
#include <ddb/core/error.hpp>
#include <ddb/ops/generator.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ddb {

/// Where reading a shard starts.
struct shard_start {
    shard_iterator_type type = shard_iterator_type::trim_horizon;
    /// For `at_sequence_number` and `after_sequence_number`.
    std::optional<std::string> sequence_number{};

    /// The oldest record the stream still keeps.
    static shard_start trim_horizon() { return {}; }
    /// Just after the newest record: only changes made from now on.
    static shard_start latest() { return {shard_iterator_type::latest, std::nullopt}; }
    /// Just after `sequence_number` (a checkpoint: the last record handled).
    static shard_start after(std::string sequence_number) {
        return {shard_iterator_type::after_sequence_number, std::move(sequence_number)};
    }
};

/// Why a reader waits (`stream_reader_options::on_wait`).
enum class stream_wait_reason {
    /// `limit_exceeded` or another throttling error that the client's
    /// retry policy gave up on: capped exponential back-off.
    throttled,
    /// An empty page of an open shard: the idle interval.
    idle,
};

/// One wait of a reader, reported before it starts.
struct stream_wait {
    std::string_view shard_id{};
    stream_wait_reason reason = stream_wait_reason::idle;
    std::chrono::milliseconds delay{};
    /// Consecutive waits of this reason so far, this one included (1: the first).
    int count = 1;
};

struct stream_reader_options {
    /// GetRecords `Limit` (1 to 1000 records per page); none: DynamoDB's
    /// (1,000 records or 1 MB).
    std::optional<int> limit{};
    /// The wait after an empty page of an open shard (>= 0).
    std::chrono::milliseconds idle_interval{1000};
    /// The most GetRecords per minute a shard reader sends while idle
    /// (>= 1): the wait after an empty page is at least 60 s / this. The
    /// default (60) with the 1 s interval: one request a second per shard.
    int max_idle_requests_per_minute = 60;
    /// The first wait after `limit_exceeded` / throttling (> 0), doubled
    /// after each further one up to `max_backoff` (>= throttle_backoff).
    std::chrono::milliseconds throttle_backoff{250};
    std::chrono::milliseconds max_backoff{10000};
    /// `read_stream`: how often DescribeStream lists the shards again to find
    /// new ones (> 0); also done right after a shard ended (its children).
    std::chrono::milliseconds shard_sync_interval{10000};
    /// End instead of waiting: `read_shard` after its first empty page of an
    /// open shard, `read_stream` once every open shard gave an empty page
    /// and no shard is left to read. For tools and tests (a page may be
    /// empty while records follow).
    bool stop_when_idle = false;
    /// Called before each wait (tests count back-off and idle waits with
    /// it; a metrics hook). Must not throw.
    std::function<void(const stream_wait&)> on_wait{};

    /// Throws `config_error(invalid_setting)` naming the first field that
    /// cannot work.
    void validate() const;
};

/// One GetRecords page of one shard, in order. `shard_end`: the shard is
/// closed and this was its last page (records may then be empty).
struct stream_batch {
    std::string shard_id{};
    std::vector<stream_record> records{};
    bool shard_end = false;
};

/// Records were lost: the position was older than the stream keeps (24 h).
/// Reported, never skipped silently; reading goes on from the oldest record
/// kept (TRIM_HORIZON), at `resumed_at`.
struct trimmed_gap {
    std::string shard_id{};
    /// The last position before the gap (none: the shard's start).
    std::optional<std::string> after_sequence_number{};
    /// The first sequence number read after it; none when the first page
    /// read after it was empty (or the shard's end).
    std::optional<std::string> resumed_at{};
};

using stream_event = std::variant<stream_batch, trimmed_gap>;

/** Reads one shard from `start` to its end.

    GetShardIterator, then GetRecords in a loop: a `stream_batch` per page
    with records, and a last one with `shard_end` when the shard is closed
    and read (no NextShardIterator; also when GetShardIterator has no
    iterator: the position is past a closed shard's end). While the shard is
    open it never ends, unless `options.stop_when_idle`: after an empty page
    it waits `idle_interval` (at least 60 s / max_idle_requests_per_minute).

    - An expired iterator (`expired_iterator`, 15 minutes) is re-acquired
      AFTER_SEQUENCE_NUMBER the last record yielded (or from `start` when none
      was: with `latest`, changes made meanwhile are then not seen).
    - `limit_exceeded` and other throttling errors the client's retry policy
      gave up on: waits (throttle_backoff doubling up to max_backoff) and
      tries again; they never end the generator.
    - `trimmed_data_access`: yields a `trimmed_gap`, then continues from
      TRIM_HORIZON (the gap is yielded just before the first page read after
      it, with `resumed_at` its first record).
    - Any other error ends the generator with its typed exception (thrown by
      `next()`). Bad options: `config_error(invalid_setting)` at once.
*/
generator<stream_event> read_shard(streams_client& c, std::string stream_arn, shard s,
                                   shard_start start, stream_reader_options options = {});

/** Where a stream reader is: the last sequence number handled per shard and
    the shards read to their end. Feed it every event handled (`advance`);
    persist it (`to_json`) to restart `read_stream` where it stopped.
    Thread safety: a value type (as the standard library's). */
struct stream_checkpoint {
    /// Shard id → sequence number of the last record handled.
    std::map<std::string, std::string> sequence_numbers{};
    /// Shards read to their end (their batch with `shard_end` handled).
    std::set<std::string> finished_shards{};

    /// After a batch was handled: its last record's sequence number, and the
    /// shard finished on `shard_end`.
    void advance(const stream_batch& batch);
    /// Either alternative (a gap changes nothing: the next batch moves on).
    void advance(const stream_event& event);
    /// Where `read_stream` starts shard `shard_id` (after its number), if
    /// the checkpoint says.
    std::optional<shard_start> start_of(const std::string& shard_id) const;

    /// `{"sequence_numbers":{"shardId-...":"123..."},"finished_shards":[...]}`.
    boost::json::value to_json() const;
    /// The inverse; throws `config_error(invalid_setting)` for another shape.
    static stream_checkpoint from_json(const boost::json::value& v);
};

/// Where `read_stream` starts.
struct stream_start {
    /// Shards the checkpoint does not name: `trim_horizon` or `latest`
    /// (then only the shards open when reading starts; their closed
    /// ancestors are skipped). Children of shards read (or named by the
    /// checkpoint) always start at TRIM_HORIZON.
    shard_iterator_type otherwise = shard_iterator_type::trim_horizon;
    std::optional<stream_checkpoint> checkpoint{};

    static stream_start trim_horizon() { return {}; }
    static stream_start latest() { return {shard_iterator_type::latest, std::nullopt}; }
    /// The checkpoint's shards after their numbers (finished ones, and their
    /// ancestors, not again), the others per `otherwise`.
    static stream_start from(stream_checkpoint cp,
                             shard_iterator_type otherwise = shard_iterator_type::trim_horizon) {
        return {otherwise, std::move(cp)};
    }
};

/// Thrown by `read_stream` when a table has no stream (ListStreams lists
/// none for it). Code: `service_errc::resource_not_found`, which compares
/// equal to `ddb::errc::not_found`. Thread safety: immutable.
class stream_not_found : public ddb::error {
public:
    explicit stream_not_found(const std::string& table);
    const std::string& table() const noexcept { return table_; }

private:
    std::string table_;
};

/** Reads every shard of a stream: `table_or_arn` is a stream ARN
    ("arn:..."), or a table name whose newest ENABLED stream (else its newest)
    ListStreams and DescribeStream find (none: `stream_not_found`).

    Shards are listed with DescribeStream (`stream_shards`) at the start,
    every `shard_sync_interval`, and for a shard's children
    (ShardFilter CHILD_SHARDS) right after it ended. A shard is read
    (`read_shard`, several at once) once its parent was read to its end, or
    when its parent is not listed (trimmed: nothing left to read). The
    events of all shards come through this one generator, each shard's in
    order. Ends only with `options.stop_when_idle` (every open shard gave an
    empty page, none left unread) or an error (the first shard's or
    listing's, as `read_shard`).
*/
generator<stream_event> read_stream(streams_client& c, std::string table_or_arn,
                                    stream_start start = {}, stream_reader_options options = {});

/// The stream ARN `read_stream` reads for `table_or_arn` (as described there).
boost::asio::awaitable<std::string> resolve_stream_arn(streams_client& c, std::string table_or_arn);

} // namespace ddb
