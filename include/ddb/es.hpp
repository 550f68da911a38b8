// ddb — the event store (ddb::es).
#pragma once

#include <ddb/es/aggregate_root.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/dynamodb_snapshot_repository.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_codec.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/es/event_metadata.hpp>
#include <ddb/es/event_registry.hpp>
#include <ddb/es/event_repository.hpp>
#include <ddb/es/expected_version.hpp>
#include <ddb/es/id_error.hpp>
#include <ddb/es/id_generator.hpp>
#include <ddb/es/in_memory_event_repository.hpp>
#include <ddb/es/in_memory_snapshot_repository.hpp>
#include <ddb/es/migrate.hpp>
#include <ddb/es/partition.hpp>
#include <ddb/es/projector.hpp>
#include <ddb/es/replay.hpp>
#include <ddb/es/repositories.hpp>
#include <ddb/es/snapshot.hpp>
#include <ddb/es/snapshot_repository.hpp>
#include <ddb/es/store_config.hpp>
#include <ddb/es/stored_event.hpp>
#include <ddb/es/subscription.hpp>
#include <ddb/es/tables.hpp>
