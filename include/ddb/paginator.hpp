// Forwarding header: moved to <ddb/ops/paginator.hpp>; old paths are listed in
// docs/architecture.md and kept for now.
#pragma once
#include <ddb/ops/paginator.hpp>
#include <ddb/ops/raw.hpp>

namespace ddb {
// Code written against this path called the JSON forms unqualified; they are
// ddb::raw's now. (raw::table_names is not brought back: table_names(c) would
// be ambiguous with the typed form's default request.)
using raw::paginate;
using raw::parallel_scan_pages;
using raw::query_items;
using raw::query_pages;
using raw::scan_items;
using raw::scan_pages;
} // namespace ddb
