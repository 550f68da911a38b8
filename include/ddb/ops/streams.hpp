// ddb — the paginated DynamoDB Streams reads as asynchronous generators
// (<ddb/ops/generator.hpp>): every stream (ListStreams), every shard of a
// stream (DescribeStream).
//
// Each continues while the answer has a continuation (LastEvaluatedStreamArn,
// StreamDescription.LastEvaluatedShardId), from the request's exclusive
// start. Errors of a call are thrown by `next()` after the values before it.
// Cancelling a step (all are reads): terminal closes the generator (the call
// in flight is aborted); partial and total complete the step with
// `operation_aborted` and lose nothing. A generator holds a handle sharing the
// client's state (`streams_client::share()`): it may outlive the caller's
// client object. Thread safety: the generator's.
#pragma once

#include <ddb/client/streams_client.hpp>
#include <ddb/ops/generator.hpp>

namespace ddb {

/// Every stream of the account, or of `request.table_name`.
generator<stream_summary> list_streams(streams_client& c, list_streams_request request = {});

/// Every shard of `request.stream_arn` (with `request.shard_filter`
/// `child_shards`: the children of one shard), in DescribeStream's order
/// (parents before their children).
generator<shard> stream_shards(streams_client& c, describe_stream_request request);

/// The DescribeStream pages themselves (the description with each page of
/// shards), for a reader that wants the stream's status and view type too.
generator<describe_stream_response> describe_stream_pages(streams_client& c,
                                                          describe_stream_request request);

} // namespace ddb
