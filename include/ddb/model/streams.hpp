// ddb — the typed requests and responses of DynamoDB Streams (ListStreams,
// DescribeStream, GetShardIterator, GetRecords), sent by `ddb::streams_client`
// (<ddb/client/streams_client.hpp>). Members are the API's in snake_case, as
// in the rest of the model (<ddb/model/common.hpp>); change records are
// decoded into typed values with the images as `ddb::item`.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/table_schema.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddb {

/// The state of a stream (StreamStatus).
enum class stream_status { enabling, enabled, disabling, disabled, unknown };

/// Where a shard iterator starts (ShardIteratorType): the oldest record
/// still kept, just after the newest one, at or after a sequence number.
enum class shard_iterator_type {
    trim_horizon,
    latest,
    at_sequence_number,
    after_sequence_number,
};

/// What a change did (eventName).
enum class stream_event_name { insert, modify, remove, unknown };

/// DescribeStream's ShardFilter type: only `child_shards` (the children of
/// `shard_id`) exists.
enum class shard_filter_type { child_shards };

/// ListStreams: the streams of the account, or of one table.
struct list_streams_request {
    std::optional<std::string> table_name{};
    /// 1 to 100 streams per page.
    std::optional<int> limit{};
    /// The previous page's `last_evaluated_stream_arn`.
    std::optional<std::string> exclusive_start_stream_arn{};
};

struct stream_summary {
    std::string stream_arn{};
    std::optional<std::string> table_name{};
    /// The stream's creation time stamp (ISO 8601), unique per table.
    std::optional<std::string> stream_label{};
};

struct list_streams_response {
    std::vector<stream_summary> streams{};
    /// Set when more streams follow (`list_streams` pages through them).
    std::optional<std::string> last_evaluated_stream_arn{};
};

struct shard_filter {
    shard_filter_type type = shard_filter_type::child_shards;
    /// The parent whose children are asked for.
    std::string shard_id{};
};

/// DescribeStream: the stream and a page of its shards.
struct describe_stream_request {
    std::string stream_arn{};
    /// 1 to 100 shards per page.
    std::optional<int> limit{};
    /// The previous page's `last_evaluated_shard_id`.
    std::optional<std::string> exclusive_start_shard_id{};
    std::optional<ddb::shard_filter> shard_filter{};
};

/// The first and (once the shard is closed) last sequence numbers of a shard.
struct sequence_number_range {
    std::optional<std::string> starting_sequence_number{};
    /// Absent while the shard is open (still written to).
    std::optional<std::string> ending_sequence_number{};
};

struct shard {
    std::string shard_id{};
    ddb::sequence_number_range sequence_number_range{};
    /// Read the parent to its end before this shard (per-key order).
    std::optional<std::string> parent_shard_id{};
};

struct stream_description {
    std::string stream_arn{};
    std::optional<std::string> stream_label{};
    std::optional<ddb::stream_status> stream_status{};
    std::optional<ddb::stream_view_type> stream_view_type{};
    /// Seconds since the epoch.
    std::optional<double> creation_request_date_time{};
    std::optional<std::string> table_name{};
    std::vector<key_schema_element> key_schema{};
    std::vector<ddb::shard> shards{};
    /// Set when more shards follow (`stream_shards` pages through them).
    std::optional<std::string> last_evaluated_shard_id{};
};

struct describe_stream_response {
    ddb::stream_description stream_description{};
};

/// GetShardIterator: an iterator into one shard (valid 15 minutes).
struct get_shard_iterator_request {
    std::string stream_arn{};
    std::string shard_id{};
    ddb::shard_iterator_type shard_iterator_type = ddb::shard_iterator_type::trim_horizon;
    /// For `at_sequence_number` and `after_sequence_number`.
    std::optional<std::string> sequence_number{};
};

struct get_shard_iterator_response {
    /// Absent when the shard is closed and the position is past its end.
    std::optional<std::string> shard_iterator{};
};

/// GetRecords: the records after an iterator.
struct get_records_request {
    std::string shard_iterator{};
    /// 1 to 1000 records (and at most 1 MB) per call.
    std::optional<int> limit{};
};

/// Who made a change, when it was not a user's request: TTL deletions have
/// type "Service" and principal "dynamodb.amazonaws.com".
struct stream_identity {
    std::string principal_id{};
    std::string type{};
};

/// One change of one item (a Record and its StreamRecord, flattened).
struct stream_record {
    std::string event_id{};
    ddb::stream_event_name event_name = ddb::stream_event_name::unknown;
    std::string event_version{};
    std::string event_source{}; ///< "aws:dynamodb"
    std::string aws_region{};
    /// When the change was made, to the second (ApproximateCreationDateTime,
    /// or to the microsecond with a Kinesis-style stream; seconds here).
    std::chrono::system_clock::time_point approximate_creation_time{};
    /// The item's key attributes.
    ddb::item keys{};
    /// The item before (MODIFY, REMOVE) and after (INSERT, MODIFY) the
    /// change, as the stream's view type includes them.
    std::optional<ddb::item> old_image{};
    std::optional<ddb::item> new_image{};
    /// Increasing within a shard; a decimal string of up to 40 digits.
    std::string sequence_number{};
    std::int64_t size_bytes = 0;
    ddb::stream_view_type stream_view_type = ddb::stream_view_type::unknown;
    /// Set for changes DynamoDB made itself (TTL deletions).
    std::optional<stream_identity> user_identity{};

    /// Whether this is a deletion by Time to Live.
    bool is_ttl_deletion() const noexcept {
        return event_name == stream_event_name::remove && user_identity &&
               user_identity->type == "Service" &&
               user_identity->principal_id == "dynamodb.amazonaws.com";
    }
};

struct get_records_response {
    std::vector<stream_record> records{};
    /// Where the next call starts; absent once a closed shard is read to its
    /// end (an open shard always has one, even after an empty page).
    std::optional<std::string> next_shard_iterator{};
};

} // namespace ddb
