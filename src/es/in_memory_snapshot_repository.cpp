#include <ddb/es/in_memory_snapshot_repository.hpp>

#include <ddb/es/error.hpp>

#include "detail/event_item.hpp"

#include <map>
#include <mutex>

namespace ddb::es {

struct in_memory_snapshot_repository::state {
    boost::asio::any_io_executor ex;
    store_config cfg;
    std::mutex mutex;
    std::map<std::string, std::vector<snapshot>, std::less<>> snapshots; // oldest first
};

in_memory_snapshot_repository::in_memory_snapshot_repository(boost::asio::any_io_executor ex,
                                                             store_config config)
    : state_(std::make_shared<state>()) {
    state_->ex = std::move(ex);
    state_->cfg = std::move(config);
}

snapshot_repository::executor_type in_memory_snapshot_repository::get_executor() const {
    return state_->ex;
}

in_memory_snapshot_repository::~in_memory_snapshot_repository() = default;

boost::asio::awaitable<std::optional<snapshot>>
in_memory_snapshot_repository::retrieve(std::string uuid) {
    detail::check_uuid(uuid);
    std::lock_guard lock(state_->mutex);
    auto found = state_->snapshots.find(uuid);
    if (found == state_->snapshots.end() || found->second.empty())
        co_return std::nullopt;
    co_return found->second.back();
}

boost::asio::awaitable<snapshot> in_memory_snapshot_repository::persist(snapshot s) {
    detail::check_uuid(s.aggregate_uuid);
    if (s.aggregate_version < 0)
        throw es_error(es_errc::invalid_argument, "snapshot version is negative");
    std::lock_guard lock(state_->mutex);
    auto& list = state_->snapshots[s.aggregate_uuid];
    list.push_back(s);
    const auto keep = static_cast<std::size_t>(std::max(1, state_->cfg.snapshot_retention));
    if (list.size() > keep)
        list.erase(list.begin(), list.end() - static_cast<std::ptrdiff_t>(keep));
    co_return s;
}

} // namespace ddb::es
