// The events table's stream (store_config::stream, set_events_stream) on
// moto: create_tables creates the events table with the stream (the other
// tables without), finds it the next time without an UpdateTable, turns it on
// for an existing table, refuses a stream of another view type before
// creating anything, and reports a stream it was not asked for;
// set_events_stream turns it off and on idempotently, returning the latest
// stream's ARN and label. An invalid view type is refused before any request.
// dynalite has no DynamoDB Streams (CreateTable ignores StreamSpecification,
// UpdateTable refuses it): there the tests check that stream_unavailable
// says so, and skip the rest with a printed reason.
#include "tables_fixture.hpp"

#include <boost/asio/use_awaitable.hpp>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

template <class B>
events_stream_status stream_of(tables_fixture<B>& f, const std::string& table) {
    auto t = f.describe(table);
    REQUIRE(t);
    return stream_status_of(*t);
}

template <class B>
events_stream_status set_stream(tables_fixture<B>& f, std::optional<stream_view_type> view) {
    f.lines.clear();
    f.calls.clear();
    std::function<void(std::string_view)> progress = [&f](std::string_view line) {
        f.lines.emplace_back(line);
    };
    return f.run([&]() -> awaitable<events_stream_status> {
        co_return co_await set_events_stream(f.direct, f.cfg, view, progress);
    });
}

// The es_error `call` throws (it must throw one).
template <class F>
es_error error_of(F&& call) {
    try {
        call();
    } catch (const es_error& e) {
        return e;
    }
    FAIL("no es_error");
    throw std::logic_error("unreachable");
}

constexpr const char* dynalite_skip =
    "dynalite has no DynamoDB Streams (CreateTable ignores StreamSpecification, UpdateTable "
    "refuses it): the stream tests run on moto only";

} // namespace

TEST_CASE("events stream: create_tables creates the events table with the stream, and finds it "
          "the next time",
          "[es]") {
    tables_fixture<moto_backend> f;
    f.cfg.stream = stream_view_type::new_and_old_images;
    f.create();
    const auto& ev = f.cfg.events_table;
    auto s = stream_of(f, ev);
    CHECK(s.enabled);
    CHECK(s.view_type == stream_view_type::new_and_old_images);
    REQUIRE(s.latest_arn);
    REQUIRE(s.latest_label);
    CHECK(contains(*s.latest_arn, ":table/" + ev + "/stream/" + *s.latest_label));
    CHECK(f.said(ev + " has a stream (NEW_AND_OLD_IMAGES): " + *s.latest_arn));
    CHECK(f.calls_of("UpdateTable") == 0);
    CHECK_FALSE(stream_of(f, f.cfg.snapshots_table).enabled);
    CHECK_FALSE(stream_of(f, f.cfg.checkpoints_table).enabled);

    f.create(); // again: nothing changes
    CHECK(f.said("found " + ev + " (schema matches)"));
    CHECK(f.said(ev + " has a stream (NEW_AND_OLD_IMAGES): " + *s.latest_arn));
    CHECK(f.calls_of("UpdateTable") == 0);
    CHECK(stream_of(f, ev).latest_label == s.latest_label);
}

TEST_CASE("events stream: create_tables turns the stream on for an existing events table", "[es]") {
    tables_fixture<moto_backend> f;
    f.create();
    const auto& ev = f.cfg.events_table;
    CHECK_FALSE(stream_of(f, ev).enabled);
    CHECK_FALSE(stream_of(f, ev).latest_arn);

    f.cfg.stream = stream_view_type::keys_only;
    f.create();
    CHECK(f.calls_of("UpdateTable") == 1);
    CHECK(f.said("enabling the stream (KEYS_ONLY) on " + ev));
    auto s = stream_of(f, ev);
    CHECK(s.enabled);
    CHECK(s.view_type == stream_view_type::keys_only);
    REQUIRE(s.latest_arn);
    CHECK(f.lines.back() == ev + " has a stream (KEYS_ONLY): " + *s.latest_arn);
}

TEST_CASE("events stream: a stream of another view type is table_schema_mismatch before "
          "anything is created, and one not configured is left as it is",
          "[es]") {
    tables_fixture<moto_backend> f;
    auto events = events_table_spec(f.cfg);
    events.stream_specification = stream_specification{true, stream_view_type::new_image};
    f.create_by_hand(events);

    f.cfg.stream = stream_view_type::keys_only;
    auto e = error_of([&] { f.create(); });
    INFO(e.what());
    CHECK(e.kind() == es_errc::table_schema_mismatch);
    CHECK(contains(e.what(), "events table " + f.cfg.events_table +
                                 ": stream enabled with view type NEW_IMAGE, not KEYS_ONLY as "
                                 "asked (a stream's view type cannot be changed in place: turn "
                                 "the stream off ('ddb-es stream --disable'), then on with "
                                 "KEYS_ONLY"));
    CHECK(f.calls_of("CreateTable") == 0);
    CHECK(f.calls_of("UpdateTable") == 0);
    CHECK_FALSE(f.describe(f.cfg.snapshots_table));

    auto direct = error_of([&] { set_stream(f, stream_view_type::keys_only); });
    CHECK(direct.kind() == es_errc::table_schema_mismatch);
    CHECK(f.calls_of("UpdateTable") == 0);

    // Not configured: accepted, reported, kept.
    f.cfg.stream.reset();
    f.create();
    CHECK(f.said("found " + f.cfg.events_table +
                 " (schema matches; stream NEW_IMAGE enabled, none configured: left as it is)"));
    CHECK(stream_of(f, f.cfg.events_table).view_type == stream_view_type::new_image);
}

TEST_CASE("events stream: set_events_stream turns the stream on and off, idempotently", "[es]") {
    tables_fixture<moto_backend> f;
    f.create();
    const auto& ev = f.cfg.events_table;

    auto on = set_stream(f, stream_view_type::new_image);
    CHECK(on.enabled);
    CHECK(on.view_type == stream_view_type::new_image);
    REQUIRE(on.latest_arn);
    CHECK(f.lines == std::vector<std::string>{"enabling the stream (NEW_IMAGE) on " + ev,
                                              ev + " has a stream (NEW_IMAGE): " + *on.latest_arn});
    CHECK(f.calls_of("UpdateTable") == 1);

    auto again = set_stream(f, stream_view_type::new_image);
    CHECK(again.latest_arn == on.latest_arn);
    CHECK(f.lines == std::vector<std::string>{ev + " has a stream (NEW_IMAGE): " + *on.latest_arn});
    CHECK(f.calls_of("UpdateTable") == 0);

    auto off = set_stream(f, std::nullopt);
    CHECK_FALSE(off.enabled);
    CHECK_FALSE(off.view_type);
    CHECK(off.latest_arn == on.latest_arn); // the last stream, readable for 24 hours
    CHECK(f.lines ==
          std::vector<std::string>{"disabling the stream on " + ev, ev + " has no stream"});
    CHECK(f.calls_of("UpdateTable") == 1);

    set_stream(f, std::nullopt);
    CHECK(f.lines == std::vector<std::string>{ev + " has no stream"});
    CHECK(f.calls_of("UpdateTable") == 0);

    // The asynchronous form, with a completion token.
    f.cfg.stream.reset();
    std::function<void(std::string_view)> none;
    auto status = f.run([&]() -> awaitable<events_stream_status> {
        co_return co_await async_set_events_stream(f.direct, f.cfg, std::nullopt, none,
                                                   asio::use_awaitable);
    });
    CHECK_FALSE(status.enabled);
}

TEMPLATE_TEST_CASE("events stream: a view type the store does not offer is invalid_argument "
                   "before any request",
                   "[es]", moto_backend, dynalite_backend) {
    tables_fixture<TestType> f;
    for (auto view : {stream_view_type::old_image, stream_view_type::unknown}) {
        f.cfg.stream = view;
        auto e = error_of([&] { f.create(); });
        CHECK(e.kind() == es_errc::invalid_argument);
        CHECK(contains(e.what(), "use NEW_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY"));
        CHECK(f.calls.empty());
        auto direct = error_of([&] { set_stream(f, view); });
        CHECK(direct.kind() == es_errc::invalid_argument);
        CHECK(f.calls.empty());
    }
    f.cfg.stream = stream_view_type::old_image;
    CHECK(contains(error_of([&] { f.create(); }).what(), "OLD_IMAGE is of no use"));
}

TEST_CASE("events stream: dynalite has no streams - stream_unavailable names the table and the "
          "endpoint's answer",
          "[es]") {
    tables_fixture<dynalite_backend> f;
    f.cfg.stream = stream_view_type::new_image;
    auto e = error_of([&] { f.create(); });
    INFO(e.what());
    CHECK(e.kind() == es_errc::stream_unavailable);
    CHECK(e.code() == ddb::errc::validation);
    CHECK(contains(e.what(), "events table " + f.cfg.events_table +
                                 ": the stream could not be enabled (NEW_IMAGE): UpdateTable "
                                 "answered ValidationException: "));
    CHECK(contains(e.what(), "The endpoint may not support DynamoDB Streams"));
    CHECK(f.calls_of("UpdateTable") == 1); // a refusal is not retried
    f.check_ready();                       // the tables themselves were made
    // Turning off a stream that is not there asks nothing.
    auto off = set_stream(f, std::nullopt);
    CHECK_FALSE(off.enabled);
    CHECK(f.calls_of("UpdateTable") == 0);
    WARN(dynalite_skip);
}
