// ddb::es — snapshots in DynamoDB, of any size.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/es/id_generator.hpp>
#include <ddb/es/snapshot_repository.hpp>
#include <ddb/es/store_config.hpp>

#include <memory>

namespace ddb::es {

/** Snapshots in DynamoDB (layout: <ddb/es/tables.hpp>).

    A state up to `snapshot_part_size` bytes is one item (one PutItem, one
    read). A larger one is split into binary parts written first (batched,
    re-driven until all are stored), then a header item naming the part
    count, the total size and a SHA-256 of the state. Readers look for
    headers only, newest first, so a snapshot being written is invisible
    until it is complete; a header whose parts are missing or do not match
    its size and checksum is skipped for the one before it. Parts are read
    with BatchGetItem, at most 100 keys per call. After a write, snapshots
    beyond `snapshot_retention` are deleted (header first).

    The repository keeps a handle on the client (`client::share()`): the
    caller's client object may be moved or destroyed. The repository must
    outlive its operations. Thread safety: distinct objects: safe. Shared objects: safe
    (as the client's members). */
class dynamodb_snapshot_repository final : public snapshot_repository {
public:
    dynamodb_snapshot_repository(client& c, store_config config = {},
                                 std::shared_ptr<id_generator> ids = {});
    ~dynamodb_snapshot_repository() override;

    boost::asio::awaitable<std::optional<snapshot>> retrieve(std::string uuid) override;
    boost::asio::awaitable<snapshot> persist(snapshot s) override;
    /// The client's executor.
    executor_type get_executor() const override;

    struct state;

private:
    std::shared_ptr<state> state_;
};

} // namespace ddb::es
