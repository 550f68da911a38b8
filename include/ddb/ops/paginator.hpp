// ddb — paginated reads as asynchronous generators.
//
// Every paginated read continues while the answer has a continuation token
// (LastEvaluatedKey, LastEvaluatedTableName), also past empty pages: a
// filtered page can be empty while more matches follow.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/ops/generator.hpp>
#include <ddb/value/item.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace ddb {

/// The answers of `operation`, page after page: sends `request`, yields the
/// answer, and while the answer has `token_out` sends it again with that
/// value as `token_in`. `prefetch` pages are fetched ahead of the consumer.
/// Errors of a call are thrown by `next()` after the pages before it.
generator<boost::json::object> paginate(client& c, std::string operation,
                                        boost::json::object request, std::string token_in,
                                        std::string token_out, std::size_t prefetch = 1);

/// Query / Scan pages (ExclusiveStartKey / LastEvaluatedKey).
generator<boost::json::object> query_pages(client& c, boost::json::object request,
                                           std::size_t prefetch = 1);
generator<boost::json::object> scan_pages(client& c, boost::json::object request,
                                          std::size_t prefetch = 1);

/// Query / Scan items, decoded, across all pages.
generator<item> query_items(client& c, boost::json::object request, std::size_t prefetch = 1);
generator<item> scan_items(client& c, boost::json::object request, std::size_t prefetch = 1);

/// A parallel Scan: `segments` segments (Segment / TotalSegments) scanned at
/// once, their pages merged in arrival order. If one segment fails, the
/// others are cancelled and the error is thrown by `next()`.
generator<boost::json::object> parallel_scan_pages(client& c, boost::json::object request,
                                                   int segments, std::size_t prefetch = 1);

/// Every table name (ListTables, ExclusiveStartTableName / LastEvaluatedTableName).
generator<std::string> table_names(client& c, boost::json::object request = {});

/// \name Typed forms of the same generators
/// The request's `exclusive_start_key` (or start table name) is where the
/// first page starts; each page's `last_evaluated_key` is where the next one
/// starts, until a page has none.
/// @{
generator<query_response> query_pages(client& c, query_request request, std::size_t prefetch = 1);
generator<item> query_items(client& c, query_request request, std::size_t prefetch = 1);
generator<scan_response> scan_pages(client& c, scan_request request, std::size_t prefetch = 1);
generator<item> scan_items(client& c, scan_request request, std::size_t prefetch = 1);
/// `request.segment` / `total_segments` are set per segment.
generator<scan_response> parallel_scan_pages(client& c, scan_request request, int segments,
                                             std::size_t prefetch = 1);
generator<std::string> table_names(client& c, list_tables_request request);
/// @}

} // namespace ddb
