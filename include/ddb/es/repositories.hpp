// ddb::es — what an aggregate root needs to load and persist itself: the
// event repository, the snapshot repository (optional) and the event
// registry. A small copyable handle; the three must outlive every aggregate
// loaded or created with it.
#pragma once

#include <ddb/es/event_registry.hpp>
#include <ddb/es/event_repository.hpp>
#include <ddb/es/snapshot_repository.hpp>

namespace ddb::es {

struct repositories {
    repositories(event_repository& events_, snapshot_repository& snapshots_,
                 const event_registry& registry_) noexcept
        : events(&events_)
        , snapshots(&snapshots_)
        , registry(&registry_) {}
    /// Without snapshots: `load` replays every event, `snapshot()` throws.
    repositories(event_repository& events_, const event_registry& registry_) noexcept
        : events(&events_)
        , registry(&registry_) {}

    event_repository* events;
    snapshot_repository* snapshots = nullptr;
    const event_registry* registry;
};

} // namespace ddb::es
