// The shard reader: GetShardIterator and GetRecords in a loop, with the
// recoveries of a long-running reader (expired iterators, throttling,
// trimmed records) and the idle rate bound.
#include <ddb/core/config_error.hpp>
#include <ddb/ops/stream_reader.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>

namespace ddb {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

void require(bool ok, const char* what) {
    if (!ok)
        throw config_error(config_errc::invalid_setting,
                           std::string("stream_reader_options::") + what);
}

// How a call failed, for the errors the reader recovers from.
enum class outcome { ok, expired, trimmed, throttled };

outcome classify(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const expired_iterator&) {
        return outcome::expired;
    } catch (const trimmed_data_access&) {
        return outcome::trimmed;
    } catch (const throttling_error&) {
        return outcome::throttled;
    } catch (...) {
        std::rethrow_exception(e);
    }
}

// More trims or expiries in a row than this without a record read in
// between: the position cannot be recovered, the error ends the reader.
constexpr int max_unproductive_recoveries = 5;

struct shard_reading {
    std::shared_ptr<streams_client> c;
    std::string stream_arn;
    shard s;
    shard_start start;
    stream_reader_options o;

    std::optional<std::string> last;     // sequence number of the last record yielded
    bool from_trim_horizon = false;      // after a trim, when no record was read since
    std::optional<std::string> iterator; // none: (re-)acquire one
    std::optional<trimmed_gap> gap;      // reported before the next page
    int throttles = 0;                   // in a row
    int recoveries = 0;                  // expiries and trims since the last record

    // Where a (new) iterator starts.
    get_shard_iterator_request position() const {
        get_shard_iterator_request r;
        r.stream_arn = stream_arn;
        r.shard_id = s.shard_id;
        if (last) {
            r.shard_iterator_type = shard_iterator_type::after_sequence_number;
            r.sequence_number = last;
        } else if (from_trim_horizon) {
            r.shard_iterator_type = shard_iterator_type::trim_horizon;
        } else {
            r.shard_iterator_type = start.type;
            r.sequence_number = start.sequence_number;
        }
        return r;
    }

    asio::awaitable<void> wait(stream_wait_reason why, milliseconds delay, int count) {
        if (o.on_wait)
            o.on_wait(stream_wait{s.shard_id, why, delay, count});
        asio::steady_timer t(co_await asio::this_coro::executor, delay);
        co_await t.async_wait(asio::use_awaitable);
    }

    asio::awaitable<void> back_off() {
        ++throttles;
        const int doublings = std::min(throttles - 1, 30);
        const double grown =
            static_cast<double>(o.throttle_backoff.count()) * static_cast<double>(1LL << doublings);
        const auto capped = milliseconds(static_cast<milliseconds::rep>(
            std::min(grown, static_cast<double>(o.max_backoff.count()))));
        co_await wait(stream_wait_reason::throttled, capped, throttles);
    }

    asio::awaitable<void> idle() {
        const milliseconds floor_per_request((60000 + o.max_idle_requests_per_minute - 1) /
                                             o.max_idle_requests_per_minute);
        co_await wait(stream_wait_reason::idle, std::max(o.idle_interval, floor_per_request), 1);
    }

    // Counts an expiry or a trim; past the bound the error is the reader's end.
    void recovering(const std::exception_ptr& e) {
        if (++recoveries > max_unproductive_recoveries)
            std::rethrow_exception(e);
    }

    void trimmed(const std::exception_ptr& e) {
        recovering(e);
        if (!gap) {
            trimmed_gap g;
            g.shard_id = s.shard_id;
            if (last)
                g.after_sequence_number = last;
            else if (!from_trim_horizon)
                g.after_sequence_number = start.sequence_number;
            gap = std::move(g);
        }
        last.reset();
        from_trim_horizon = true;
        iterator.reset();
    }
};

using sink = generator<stream_event>::sink;

// GetShardIterator at the reading's position. False: the shard is closed
// and the position past its end (the end was yielded).
asio::awaitable<bool> acquire(shard_reading& r, sink& out) {
    for (;;) {
        std::exception_ptr failed;
        std::optional<std::string> it;
        try {
            it = (co_await r.c->get_shard_iterator(r.position())).shard_iterator;
        } catch (...) {
            failed = std::current_exception();
        }
        if (!failed) {
            r.throttles = 0;
            if (it) {
                r.iterator = std::move(it);
                co_return true;
            }
            stream_batch end{r.s.shard_id, {}, true};
            if (r.gap)
                co_await out.push(std::move(*std::exchange(r.gap, std::nullopt)));
            co_await out.push(std::move(end));
            co_return false;
        }
        const outcome o = classify(failed);
        if (o == outcome::throttled)
            co_await r.back_off();
        else if (o == outcome::trimmed)
            r.trimmed(failed);
        else
            std::rethrow_exception(failed);
    }
}

// One GetRecords page handed on. False: the reader ends (the shard's end,
// or idle with stop_when_idle).
asio::awaitable<bool> deliver(shard_reading& r, get_records_response page, sink& out) {
    r.throttles = 0;
    const bool end = !page.next_shard_iterator;
    r.iterator = std::move(page.next_shard_iterator);
    if (r.gap) {
        if (!page.records.empty())
            r.gap->resumed_at = page.records.front().sequence_number;
        co_await out.push(std::move(*std::exchange(r.gap, std::nullopt)));
    }
    if (!page.records.empty()) {
        r.last = page.records.back().sequence_number;
        r.recoveries = 0;
    }
    if (!page.records.empty() || end) {
        stream_batch b{r.s.shard_id, std::move(page.records), end};
        co_await out.push(std::move(b));
    }
    co_return !end;
}

asio::awaitable<void> read_loop(shard_reading& r, sink& out) {
    for (;;) {
        if (!r.iterator && !co_await acquire(r, out))
            co_return;
        std::exception_ptr failed;
        std::optional<get_records_response> page;
        try {
            get_records_request req{*r.iterator, r.o.limit};
            page = co_await r.c->get_records(std::move(req));
        } catch (...) {
            failed = std::current_exception();
        }
        if (failed) {
            switch (classify(failed)) {
            case outcome::throttled:
                co_await r.back_off();
                break;
            case outcome::trimmed:
                r.trimmed(failed);
                break;
            default: // expired
                r.recovering(failed);
                r.iterator.reset();
                break;
            }
            continue;
        }
        const bool idle = page->records.empty();
        if (!co_await deliver(r, std::move(*page), out))
            co_return;
        if (idle) {
            if (r.o.stop_when_idle)
                co_return;
            co_await r.idle();
        }
    }
}

} // namespace

void stream_reader_options::validate() const {
    require(!limit || (*limit >= 1 && *limit <= 1000), "limit: 1 to 1000");
    require(idle_interval.count() >= 0, "idle_interval: >= 0");
    require(max_idle_requests_per_minute >= 1, "max_idle_requests_per_minute: >= 1");
    require(throttle_backoff.count() > 0, "throttle_backoff: > 0");
    require(max_backoff >= throttle_backoff, "max_backoff: >= throttle_backoff");
    require(shard_sync_interval.count() > 0, "shard_sync_interval: > 0");
}

generator<stream_event> read_shard(streams_client& c, std::string stream_arn, shard s,
                                   shard_start start, stream_reader_options options) {
    options.validate();
    if ((start.type == shard_iterator_type::at_sequence_number ||
         start.type == shard_iterator_type::after_sequence_number) &&
        !start.sequence_number)
        throw config_error(
            config_errc::invalid_setting,
            "shard_start: a sequence number is needed for at_/after_sequence_number");
    auto reading = std::make_shared<shard_reading>();
    reading->c = std::make_shared<streams_client>(c.share());
    reading->stream_arn = std::move(stream_arn);
    reading->s = std::move(s);
    reading->start = std::move(start);
    reading->o = std::move(options);
    return generator<stream_event>(c.get_executor(), [reading](sink& out) -> asio::awaitable<void> {
        co_await read_loop(*reading, out);
    });
}

} // namespace ddb
