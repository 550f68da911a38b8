// ddb — paginated reads as asynchronous generators.
//
// Every paginated read continues while the answer has a continuation token
// (LastEvaluatedKey, LastEvaluatedTableName), also past empty pages: a
// filtered page can be empty while more matches follow. The request's
// `exclusive_start_key` (or start table name) is where the first page
// starts; each page's `last_evaluated_key` is where the next one starts,
// until a page has none. `prefetch` pages are fetched ahead of the
// consumer. Errors of a call are thrown by `next()` after the pages before
// it. The same over DynamoDB JSON: <ddb/ops/raw.hpp>.
//
// Each returns a `ddb::generator` (<ddb/ops/generator.hpp>): its steps are
// `co_await g.next()` and `g.async_next(token)` (`void(error_code,
// std::optional<T>)`). Cancelling a step (they are reads): terminal closes
// the paginator (the Query/Scan/ListTables call in flight is aborted, its
// connection closed, not pooled); partial and total complete the step with
// `operation_aborted` and lose nothing (the call in flight goes on; the
// next step yields its first value). A paginator holds a handle sharing
// the client's state (`client::share()`): it may outlive the caller's
// client object. Thread safety: the generator's.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/ops/generator.hpp>
#include <ddb/value/item.hpp>

#include <cstddef>
#include <string>

namespace ddb {

/// Query pages, and the items of all pages.
generator<query_response> query_pages(client& c, query_request request, std::size_t prefetch = 1);
generator<item> query_items(client& c, query_request request, std::size_t prefetch = 1);

/// Scan pages, and the items of all pages.
generator<scan_response> scan_pages(client& c, scan_request request, std::size_t prefetch = 1);
generator<item> scan_items(client& c, scan_request request, std::size_t prefetch = 1);

/// A parallel Scan: `segments` segments (`request.segment` /
/// `total_segments` are set per segment) scanned at once, their pages merged
/// in arrival order. If one segment fails, the others are cancelled and the
/// error is thrown by `next()`.
generator<scan_response> parallel_scan_pages(client& c, scan_request request, int segments,
                                             std::size_t prefetch = 1);

/// Every table name (ListTables).
generator<std::string> table_names(client& c, list_tables_request request = {});

} // namespace ddb
