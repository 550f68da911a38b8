// ddb — the ops layer: generators, paginators, batches, transactions, waiters (typed; their
// DynamoDB JSON forms in ddb::raw).
#pragma once

#include <ddb/ops/batch.hpp>
#include <ddb/ops/generator.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/ops/raw.hpp>
#include <ddb/ops/stream_reader.hpp>
#include <ddb/ops/streams.hpp>
#include <ddb/ops/table.hpp>
#include <ddb/ops/table_waiter.hpp>
#include <ddb/ops/transaction.hpp>
