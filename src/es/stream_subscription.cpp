#include <ddb/es/stream_subscription.hpp>

#include "detail/event_item.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/id_generator.hpp>

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;
using std::chrono::system_clock;

namespace {

// The event id of an inserted item: nullopt for an item that is not on the
// global index (the meta item, anything without an id): not an event.
std::optional<std::int64_t> event_id_of(const item& it) {
    auto pk = it.find("pk");
    auto id = it.find("id");
    if (pk == it.end() || pk->second.type() != attribute_value::kind::S ||
        pk->second.as_s() == "$meta" || id == it.end() ||
        id->second.type() != attribute_value::kind::N || it.find("g") == it.end())
        return std::nullopt;
    return id->second.as_n().as<std::int64_t>();
}

[[noreturn]] void throw_no_images(const store_config& config) {
    throw es_error(es_errc::stream_unavailable,
                   "the stream of " + config.events_table +
                       " carries no item images (view type KEYS_ONLY): a stream subscription "
                       "needs NEW_IMAGE or NEW_AND_OLD_IMAGES (turn the stream off, then on "
                       "with one of them: 'ddb-es stream --disable', 'ddb-es stream --enable "
                       "NEW_IMAGE')");
}

// The stream reader fell more than 24 hours behind: events may be lost to
// it, not to the store. The caller resumes from its position, and the
// catch-up reads them from the index.
[[noreturn]] void throw_fell_behind(const store_config& config, const trimmed_gap& gap) {
    throw es_error(es_errc::stream_unavailable,
                   "the stream of " + config.events_table + " trimmed records of shard " +
                       gap.shard_id +
                       " before this subscription read them (more than 24 hours behind): "
                       "resume from the last position delivered; the catch-up reads the "
                       "events from the index");
}

// The inserted events of `batch` that `skip` does not reject by id, decoded.
template <class Skip>
std::vector<stored_event> inserted_events(const stream_batch& batch, const store_config& config,
                                          Skip skip) {
    std::vector<stored_event> out;
    for (const stream_record& r : batch.records) {
        if (r.event_name != stream_event_name::insert)
            continue;
        if (!r.new_image) {
            if (!event_id_of(r.keys) && r.keys.find("pk") != r.keys.end() &&
                r.keys.at("pk").type() == attribute_value::kind::S &&
                r.keys.at("pk").as_s() == "$meta")
                continue;
            throw_no_images(config);
        }
        const auto id = event_id_of(*r.new_image);
        if (!id || skip(*id))
            continue;
        out.push_back(detail::from_item(*r.new_image, config));
    }
    return out;
}

void check(const stream_subscription_options& o) {
    if (o.clock_skew < milliseconds::zero() || o.stream_lag < milliseconds::zero() ||
        (o.horizon && *o.horizon < milliseconds::zero()) ||
        (o.index_horizon && *o.index_horizon < milliseconds::zero()))
        throw es_error(es_errc::invalid_argument,
                       "stream_subscription_options: clock_skew, stream_lag, horizon and "
                       "index_horizon must not be negative");
    o.reader.validate();
    if (o.aggregate)
        detail::check_uuid(*o.aggregate);
}

bool wanted(const stream_subscription_options& o, const stored_event& e) {
    if (o.aggregate && e.aggregate_uuid != *o.aggregate)
        return false;
    return o.event_classes.empty() || std::find(o.event_classes.begin(), o.event_classes.end(),
                                                e.event_class) != o.event_classes.end();
}

system_clock::time_point time_of(std::int64_t id) {
    return system_clock::time_point(std::chrono::microseconds(microseconds_of_id(id)));
}

// Catch-up: the index subscription until it is idle; `pos` ends at the
// position it reached.
awaitable<void> catch_up(dynamodb_event_repository& events, subscription_position& pos,
                         const stream_subscription_options& o, generator<stored_event>::sink& out) {
    subscription_options so;
    so.aggregate = o.aggregate;
    so.event_classes = o.event_classes;
    so.clock_skew = o.clock_skew;
    so.horizon = o.index_horizon;
    so.stop_when_idle = true;
    auto history = subscribe(events, pos, so);
    for (;;) {
        std::vector<stored_event> batch = co_await history.next_batch();
        if (batch.empty())
            co_return;
        for (const auto& e : batch)
            pos.advance(e);
        co_await out.push_batch(std::move(batch));
    }
}

// Events read from the stream, held until they pass the horizon; keyed by
// (id, event key): by ascending id, each event once.
using held_events = std::map<std::pair<std::int64_t, std::string>, stored_event>;

// The held events older than the horizon, removed from `held`, by id.
std::vector<stored_event> ready(held_events& held, milliseconds horizon) {
    std::vector<stored_event> out;
    const auto now = system_clock::now();
    while (!held.empty() && time_of(held.begin()->first.first) + horizon <= now) {
        out.push_back(std::move(held.begin()->second));
        held.erase(held.begin());
    }
    return out;
}

// The next stream event, or nullopt when `deadline` came first (the read
// is then cancelled partially: nothing is lost, the next call gets it).
// The end of the stream reader: nullopt with `ended` set.
awaitable<std::optional<stream_event>> next_before(generator<stream_event>& reader,
                                                   asio::system_timer& timer,
                                                   system_clock::time_point deadline, bool& ended) {
    timer.expires_at(deadline);
    diagnostics diag;
    auto [order, read_ec, event, timer_ec] =
        co_await asio::experimental::make_parallel_group(reader.async_next(diag, asio::deferred),
                                                         timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(asio::cancellation_type::partial),
                        asio::use_awaitable);
    (void)timer_ec;
    if (order[0] == 1 && read_ec == asio::error::operation_aborted)
        co_return std::nullopt; // the deadline came first
    if (read_ec) {
        if (diag.exception())
            std::rethrow_exception(diag.exception());
        throw boost::system::system_error(read_ec);
    }
    if (!event)
        ended = true;
    co_return std::move(event);
}

// Live: the stream from TRIM_HORIZON, less what `from` covers.
awaitable<void> follow(dynamodb_event_repository& events, streams_client& streams,
                       const subscription_position& from, const stream_subscription_options& o,
                       generator<stored_event>::sink& out) {
    const store_config& config = events.config();
    const milliseconds horizon = stream_horizon(config, o);
    stream_reader_options ro = o.reader;
    ro.stop_when_idle = o.stop_when_idle;
    auto reader = read_stream(streams, config.events_table, stream_start::trim_horizon(), ro);
    asio::system_timer timer(co_await asio::this_coro::executor);
    held_events held;
    bool ended = false;
    auto skip = [&](std::int64_t id) { return id < from.id; };
    for (;;) {
        if (auto batch = ready(held, horizon); !batch.empty())
            co_await out.push_batch(std::move(batch));
        std::optional<stream_event> event;
        if (held.empty() && ended)
            co_return;
        if (held.empty()) {
            event = co_await reader.next();
            ended = !event;
        } else {
            const auto deadline = time_of(held.begin()->first.first) + horizon;
            if (ended) {
                timer.expires_at(deadline);
                co_await timer.async_wait(asio::use_awaitable);
                continue;
            }
            event = co_await next_before(reader, timer, deadline, ended);
        }
        if (!event)
            continue;
        if (const auto* gap = std::get_if<trimmed_gap>(&*event))
            throw_fell_behind(config, *gap);
        const auto* b = std::get_if<stream_batch>(&*event);
        for (auto& e : inserted_events(*b, config, skip))
            if (!from.covers(e) && wanted(o, e)) {
                auto key = std::make_pair(e.id, event_key(e));
                held.emplace(std::move(key), std::move(e));
            }
    }
}

} // namespace

std::vector<stored_event> events_of(const stream_batch& batch, const store_config& config) {
    return inserted_events(batch, config, [](std::int64_t) { return false; });
}

milliseconds stream_horizon(const store_config& config, const stream_subscription_options& o) {
    if (o.horizon)
        return *o.horizon;
    return config.max_append_age + o.clock_skew + o.stream_lag + o.reader.idle_interval;
}

generator<stored_event> subscribe_stream(dynamodb_event_repository& events, streams_client& streams,
                                         subscription_position from,
                                         stream_subscription_options o) {
    check(o);
    return generator<stored_event>(
        events.get_executor(),
        [&events, sc = std::make_shared<streams_client>(streams.share()), pos = std::move(from),
         o = std::move(o)](generator<stored_event>::sink& out) mutable -> awaitable<void> {
            co_await catch_up(events, pos, o, out);
            co_await follow(events, *sc, pos, o, out);
        },
        1);
}

} // namespace ddb::es
