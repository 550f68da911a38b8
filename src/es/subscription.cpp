#include <ddb/es/subscription.hpp>

#include "detail/event_item.hpp"
#include <ddb/es/error.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;

std::string event_key(const stored_event& e) {
    const std::string pk = e.aggregate_uuid ? *e.aggregate_uuid : "$e#" + std::to_string(e.id);
    return pk + "#" + std::to_string(e.aggregate_version);
}

void subscription_position::advance(const stored_event& e) {
    if (e.id != id) {
        id = e.id;
        at_id.clear();
    }
    at_id.push_back(event_key(e));
}

bool subscription_position::covers(const stored_event& e) const {
    if (e.id != id)
        return e.id < id;
    return std::find(at_id.begin(), at_id.end(), event_key(e)) != at_id.end();
}

milliseconds safe_horizon(const store_config& config, const subscription_options& o) {
    if (o.horizon)
        return *o.horizon;
    return config.max_append_age + o.clock_skew + o.index_lag;
}

namespace {

void check(const subscription_options& o) {
    auto bad = [](const char* what) { throw es_error(es_errc::invalid_argument, what); };
    if (o.poll_interval <= milliseconds::zero())
        bad("subscription_options.poll_interval must be positive");
    if (o.max_poll_interval < o.poll_interval)
        bad("subscription_options.max_poll_interval must be >= poll_interval");
    if (o.clock_skew < milliseconds::zero() || o.index_lag < milliseconds::zero() ||
        (o.horizon && *o.horizon < milliseconds::zero()))
        bad("subscription_options: clock_skew, index_lag and horizon must not be negative");
    if (o.aggregate && !o.partitions.empty())
        bad("subscription_options: give an aggregate or partitions, not both");
}

bool wanted(const subscription_options& o, const stored_event& e) {
    return o.event_classes.empty() || std::find(o.event_classes.begin(), o.event_classes.end(),
                                                e.event_class) != o.event_classes.end();
}

// The version of the aggregate event a position's keys name, if any (the
// key is "<uuid>#<version>").
std::int64_t last_version(const subscription_position& pos, const std::string& uuid) {
    std::int64_t v = 0;
    for (const auto& key : pos.at_id) {
        if (key.size() <= uuid.size() + 1 || key.compare(0, uuid.size(), uuid) != 0 ||
            key[uuid.size()] != '#')
            continue;
        std::int64_t n = 0;
        const char* first = key.data() + uuid.size() + 1;
        auto [end, ec] = std::from_chars(first, key.data() + key.size(), n);
        if (ec == std::errc() && end == key.data() + key.size())
            v = std::max(v, n);
    }
    return v;
}

// One poll: the events after `pos`, handed on; whether there were any.
// An aggregate's own events need no horizon: its versions appear in order
// on the base table (strongly consistent), each with a higher id. The
// events go on in the batches the read hands over: one hand-off between the
// coroutines per batch, not per event (most of a cheap event's cost).
awaitable<bool> poll(event_repository& events, subscription_position& pos, std::int64_t& version,
                     const subscription_options& o, const read_options& ro,
                     generator<stored_event>::sink& out) {
    generator<stored_event> g =
        !o.aggregate  ? events.retrieve_all_starting_from(pos.id, std::nullopt, ro)
        : version > 0 ? events.retrieve_all_after_version(version, *o.aggregate)
                      : events.retrieve_all_starting_from(pos.id, *o.aggregate);
    bool any = false;
    for (;;) {
        std::vector<stored_event> batch = co_await g.next_batch();
        if (batch.empty())
            co_return any;
        std::size_t kept = 0;
        for (auto& e : batch) {
            if (pos.covers(e))
                continue;
            any = true;
            pos.advance(e);
            version = e.aggregate_version;
            if (!wanted(o, e))
                continue;
            if (&batch[kept] != &e)
                batch[kept] = std::move(e);
            ++kept;
        }
        batch.resize(kept);
        co_await out.push_batch(std::move(batch));
    }
}

} // namespace

generator<stored_event> subscribe(event_repository& events, subscription_position from,
                                  subscription_options o) {
    check(o);
    if (o.aggregate)
        detail::check_uuid(*o.aggregate);
    read_options ro;
    ro.settle = safe_horizon(events.config(), o);
    ro.partitions = o.partitions;
    return generator<stored_event>(
        events.get_executor(),
        [&events, pos = std::move(from), o = std::move(o),
         ro = std::move(ro)](generator<stored_event>::sink& out) mutable -> awaitable<void> {
            std::int64_t version = o.aggregate ? last_version(pos, *o.aggregate) : 0;
            milliseconds wait{0};
            asio::steady_timer timer(events.get_executor());
            for (;;) {
                if (co_await poll(events, pos, version, o, ro, out)) {
                    wait = milliseconds{0};
                    continue;
                }
                if (o.stop_when_idle)
                    co_return;
                wait = wait == milliseconds{0} ? o.poll_interval
                                               : std::min(wait * 2, o.max_poll_interval);
                timer.expires_after(wait);
                co_await timer.async_wait(asio::use_awaitable);
            }
        },
        1);
}

} // namespace ddb::es
