// ddb::es — replaying stored events into projectors.
#include <ddb/es/replay.hpp>

#include <algorithm>
#include <chrono>
#include <utility>

namespace ddb::es {

boost::asio::awaitable<replay_result> replay(event_repository& events, projectionist& p,
                                             replay_options options) {
    using clock = std::chrono::steady_clock;
    replay_result result;
    result.checkpoint = std::max<std::int64_t>(options.from_id - 1, 0);

    replay_progress progress;
    if (options.progress) {
        const std::int64_t from = options.from_id;
        const std::optional<std::string> uuid = options.aggregate_uuid;
        progress.total = co_await events.count_all_starting_from(from, uuid);
    }
    if (options.from_id == 0)
        for (auto* projector : p.projectors())
            if (projector->resettable())
                co_await projector->reset();

    const auto start = clock::now();
    if (options.progress && !options.progress(progress))
        co_return result;

    auto stream =
        events.retrieve_all_starting_from(options.from_id, options.aggregate_uuid, options.read);
    while (auto e = co_await stream.next()) {
        auto failures = co_await p.project(*e);
        result.failures += static_cast<std::int64_t>(failures.size());
        result.checkpoint = e->id;
        ++result.replayed;
        if (options.progress) {
            progress.done = result.replayed;
            progress.last_id = e->id;
            const std::chrono::duration<double> elapsed = clock::now() - start;
            progress.events_per_second =
                elapsed.count() > 0 ? static_cast<double>(progress.done) / elapsed.count() : 0;
            if (!options.progress(progress))
                co_return result;
        }
    }
    result.completed = true;
    co_return result;
}

boost::asio::awaitable<replay_result> replay(event_repository& events, projectionist& p,
                                             std::int64_t from_id, replay_progress_fn progress) {
    replay_options options;
    options.from_id = from_id;
    options.progress = std::move(progress);
    co_return co_await replay(events, p, std::move(options));
}

} // namespace ddb::es
