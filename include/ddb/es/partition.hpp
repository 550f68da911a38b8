// ddb::es — the index partition of an event: which slice of the global index
// holds it. An aggregate's events all hash to one partition, so a consumer
// that owns a set of partitions sees whole aggregates, in order.
#pragma once

#include <ddb/es/stored_event.hpp>

#include <string_view>

namespace ddb::es {

/// The most index partitions a store may have (`store_config::partitions`).
inline constexpr int max_partitions = 1000;

/// The partition of partition key `pk` (an aggregate uuid, or "$e#<id>" for
/// an event without an aggregate) among `partitions`: FNV-1a 64 of pk's
/// bytes, modulo `partitions`. A persistent format: stored in every event's
/// index key, never to change.
/// @throws es_error(invalid_argument) unless 1 <= partitions <= max_partitions.
int index_partition(std::string_view pk, int partitions);

/// The partition of a stored event: of its aggregate uuid, or of
/// "$e#<id>" without one.
int index_partition(const stored_event& e, int partitions);

} // namespace ddb::es
