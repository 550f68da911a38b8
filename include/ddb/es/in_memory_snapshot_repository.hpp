// ddb::es — snapshots in memory (same semantics as DynamoDB's, for tests).
#pragma once

#include <ddb/es/snapshot_repository.hpp>
#include <ddb/es/store_config.hpp>

#include <memory>

namespace ddb::es {

/// Keeps `snapshot_retention` snapshots per aggregate. Its operations run
/// (without suspending) on `ex`.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (one mutex).
class in_memory_snapshot_repository final : public snapshot_repository {
public:
    explicit in_memory_snapshot_repository(boost::asio::any_io_executor ex,
                                           store_config config = {});
    ~in_memory_snapshot_repository() override;

    boost::asio::awaitable<std::optional<snapshot>> retrieve(std::string uuid) override;
    boost::asio::awaitable<snapshot> persist(snapshot s) override;
    executor_type get_executor() const override;

    struct state;

private:
    std::shared_ptr<state> state_;
};

} // namespace ddb::es
