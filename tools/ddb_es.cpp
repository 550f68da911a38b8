//
// ddb-es — the event store's tables and events from the command line:
// creates the tables (idempotent; --force recreates them after asking),
// describes them, shows, enables and disables the events table's stream,
// counts and dumps the stored events, migrates a store of the old index
// layout, follows the store (tail), and shows the projection workers'
// checkpoints and parked events (ddb_es_follow.cpp).
//
//   ddb-es create-tables [--force [--yes]] [--ttl] [--stream VIEW] [--events-table N]
//                        [--snapshots-table N] [--checkpoints-table N] [--partitions K]
//   ddb-es describe [--events-table N] [--snapshots-table N] [--checkpoints-table N]
//   ddb-es stream [--enable VIEW | --disable] [--events-table N]
//   ddb-es count [--from ID] [--uuid U] [--events-table N]
//   ddb-es dump [--from ID] [--uuid U] [--events-table N]
//   ddb-es migrate [--events-table N] [--partitions K]
//   ddb-es tail [--from ID] [--aggregate U] [--class C]... [--horizon-ms N] [--poll-ms N]
//               [--limit N] [--until-idle] [--events-table N]
//   ddb-es checkpoints [--projection P] [--events-table N] [--checkpoints-table N]
//   ddb-es parked --projection P [--redrive ID KEY]... [--redrive-all] [--json]
//                 [--checkpoints-table N]
//   ddb-es help [COMMAND] | ddb-es COMMAND --help | ddb-es --version
//
// Every command also takes --ca-file PATH, --timeout SECONDS, --max-attempts N,
// --progress and --quiet. The client is configured from the environment
// (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL, the default
// credentials chain); the options override it.
//
// Results go to stdout, every write checked (a full disk or a closed pipe is
// an error). Progress goes to stderr: the periodic status of long commands
// and each retry when stderr is a terminal or with --progress, create-tables'
// steps unless --quiet. A failed call's error says how many attempts were
// made over how long. Exit status: 0 success, 1 error, 2 usage error.
//
#include "ddb_es.hpp"

#include <ddb/client/client.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_metadata.hpp>
#include <ddb/es/events_stream.hpp>
#include <ddb/es/migrate.hpp>
#include <ddb/es/tables.hpp>
#include <ddb/model/wire.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace cli = ddb::cli;
using namespace ddb::es_tool;
using asio::awaitable;
using cli::out;
using cli::usage_error;

// ---------------------------------------------------------------------------
// Commands, options and their help.

const command_spec command_specs[] = {
    {"create-tables", create_bit, "create the events, snapshots and checkpoints tables",
     "Creates the events table (with its global-order index), the snapshots table and the "
     "checkpoints table (projection checkpoints, leases and parked events) and waits until all "
     "are ACTIVE. A table that already exists with the store's key schema is kept as "
     "it is, so running the command again is safe; a table of the same name with another schema "
     "is an error. --stream VIEW creates the events table with a DynamoDB stream (or turns it on "
     "for an existing one; see 'ddb-es stream'). Each step (found, created, active) is reported "
     "on stderr unless --quiet. "
     "--force deletes the three tables and creates them again: every stored event, snapshot "
     "and checkpoint is lost. On a terminal it first asks you to type the events table's name; "
     "when stdin is not a "
     "terminal it refuses unless --yes is given.",
     "ddb-es create-tables --events-table orders_events --snapshots-table orders_snapshots --ttl"},
    {"describe", describe_bit, "status, item counts, keys and indexes of the tables",
     "Shows for the events, snapshots and checkpoints tables their status, item count, key schema, "
     "billing mode and indexes, and "
     "the TTL setting and the DynamoDB stream of the events table (enabled or off, its view type, "
     "the latest stream's ARN and label). The events table's items are split into events and "
     "internal items (the store's meta item, key pk \"$meta\"), which is read to tell. The item "
     "count is DynamoDB's ItemCount, which DynamoDB refreshes about every six hours: it is "
     "approximate ('ddb-es count' counts the events exactly). Exit status 1 when a table does "
     "not exist.",
     "ddb-es describe --events-table orders_events --snapshots-table orders_snapshots"},
    {"stream", stream_bit, "show, enable or disable the events table's stream",
     "Shows the events table's DynamoDB stream: whether it is enabled, its view type, and the "
     "latest stream's ARN and label (the stream to read with the DynamoDB Streams API; once "
     "disabled, its records stay readable for 24 hours). --enable VIEW turns it on with view "
     "type NEW_IMAGE (each appended event as stored), NEW_AND_OLD_IMAGES (also what an update "
     "or a TTL deletion replaced) or KEYS_ONLY; --disable turns it off. Either waits until the "
     "table is ACTIVE again, then shows the stream; a stream already as asked is left as it is, "
     "so running it again is safe (each step on stderr unless --quiet). The view type of an "
     "enabled stream cannot be changed in place: --disable, then --enable with the other one; "
     "that makes a new stream with a new ARN, and its readers must move to it. Exit status 1 "
     "when the table does not exist, when it has a stream of another view type, or when the "
     "endpoint has no DynamoDB Streams (dynalite).",
     "ddb-es stream --enable NEW_IMAGE --events-table orders_events"},
    {"count", count_bit, "count the stored events",
     "Prints the number of stored events with id >= --from, or of one aggregate's events with "
     "--uuid. A global count queries the global index for every time bucket from the first one "
     "holding events to now, one query per index partition and bucket (Select COUNT: no items are "
     "transferred). The index is eventually consistent: events written a moment ago may be "
     "missing.",
     "ddb-es count --from 1767225600000000000"},
    {"dump", dump_bit, "print the stored events as JSON lines",
     "Prints stored events on stdout, one JSON object a line: the events with id >= --from by "
     "ascending id, or one aggregate's events by version with --uuid. Keys: id, aggregate_uuid "
     "(null for an event without an aggregate), aggregate_version, event_version, event_class, "
     "event_properties, meta_data, created_at and, for an event that expires, expires_at.",
     "ddb-es dump --uuid 6f1c0a52-3e7d-4d8e-9b41-0c2f5d7e8a90 > account.jsonl"},
    {"migrate", migrate_bit, "rewrite a store of the old index layout in place",
     "Rewrites a store written with the old global-index layout (events spread over shards by "
     "id), which this version refuses until then: scans the events table, sets the index key of "
     "every event (events already right are skipped), then records the new layout (index "
     "partitions by aggregate; as many as the old shards unless --partitions) in the meta item. "
     "Stop every writer first. Safe to run again: an interrupted run goes on where it stopped, "
     "and a store of the current layout is left as it is. Progress on stderr as for count; the "
     "outcome on stdout.",
     "ddb-es migrate --events-table orders_events"},
    {"tail", tail_bit, "follow the store: print its events as they are appended",
     "Follows the store with a subscription (docs/subscriptions.md): prints the events with id "
     ">= --from by ascending id, then each new event as it is appended, one JSON object a line "
     "as dump prints them, each line flushed at once. Runs until interrupted (SIGINT or SIGTERM: "
     "exit status 0), until --limit events are printed, or with --until-idle until a poll finds "
     "nothing new. A new event is printed once it is older than the safe horizon (4.5 s with "
     "the default settings: the store's max append age, 3 s, plus the clock skew and index lag "
     "allowed), so that no event written late is passed over; --horizon-ms lowers it, giving that "
     "guarantee up for writes slower than it. --aggregate reads that aggregate's events from the "
     "events table itself, which needs no horizon. --class keeps only events of the classes "
     "given (the reads cost the same). When idle it polls after --poll-ms, doubling up to 1 s: "
     "on the default 4 index partitions at most 300 requests a minute. On stderr, when it is a "
     "terminal and stdout is not (or with --progress): the events printed so far and the last "
     "one's id and time. With --source streams, the history is read from the index and new "
     "events from the events table's DynamoDB stream ('ddb-es stream --enable NEW_IMAGE'): one "
     "GetRecords per shard per --poll-ms (default 1 s) instead of index queries; events are "
     "still printed by id once older than the horizon (5.5 s by default: the max append age, "
     "clock skew, stream lag and poll interval), or as the stream brings them with "
     "--horizon-ms 0 (no event missed, each aggregate in order, ids not always ascending).",
     "ddb-es tail --class account_opened --class money_deposited | jq .event_properties"},
    {"checkpoints", checkpoints_bit, "projections' checkpoints, leases, lag and workers",
     "Without --projection: lists the projections that have items in the checkpoints table, "
     "one a line with their partitions (held, expired, free), live workers and parked events. "
     "With --projection P: for each index partition of the store, its lease (owner, or free; "
     "the fencing counter; when it expires or expired), its checkpoint (the id up to which the "
     "partition's events were handled, the keys of those handled at that id, and when it was "
     "committed) and its lag: how many of the partition's events come after the checkpoint, "
     "with the age of the oldest. The lag is counted by reading those events (a global read of "
     "the partition from the checkpoint's id, the events table's index being eventually "
     "consistent): its cost grows with the lag. Then the live workers (their heartbeats) with "
     "the partitions each holds, and the number of parked events. Times are judged by this "
     "host's clock. Exit status 1 for a projection without items (a mistyped name: its lag "
     "would be the whole store).",
     "ddb-es checkpoints --projection balances --checkpoints-table orders_checkpoints"},
    {"parked", parked_bit, "list parked events, ask for their re-drive",
     "Lists, by id, the events that the workers of projection P parked after their handler "
     "kept failing: id, key (aggregate uuid and version), class, attempts, when it was parked, "
     "whether a re-drive was asked for, and the handler's error; with --json one JSON object a "
     "line (keys id, key, event_class, attempts, parked_at, redrive, error). --redrive ID KEY "
     "(as listed; repeatable) or --redrive-all asks for a re-drive: the projection's workers "
     "handle those events again on their next lease round (every renew interval, 3 s by "
     "default) and remove each that succeeds; one that fails again stays parked with its new "
     "error. Nothing is re-driven while no worker of the projection runs. Exit status 1 when an "
     "event given to --redrive is not parked.",
     "ddb-es parked --projection balances --redrive-all"},
};

struct option_spec {
    constexpr option_spec(std::string_view name_, std::string_view value_, unsigned commands_,
                          bool common_, std::string_view help_, unsigned required_ = 0,
                          bool repeat_ = false)
        : name(name_)
        , value(value_)
        , commands(commands_)
        , common(common_)
        , help(help_)
        , required(required_)
        , repeat(repeat_) {}

    std::string_view name;
    std::string_view value; ///< empty: a flag; "ID KEY": two values
    unsigned commands;
    bool common; ///< one of the connection and reporting options every command has
    std::string_view help;
    unsigned required; ///< the commands that need it
    bool repeat;       ///< may be given more than once, each adding to the others
};

const option_spec option_specs[] = {
    {"--force", "", create_bit, false,
     "delete the three tables and create them again; every stored event, snapshot and checkpoint "
     "is lost. Asks for the events table's name on a terminal, needs --yes elsewhere"},
    {"--yes", "", create_bit, false, "confirm --force without asking"},
    {"--ttl", "", create_bit, false,
     "enable DynamoDB TTL on the events table (attribute expires_at)"},
    {"--stream", "VIEW", create_bit, false,
     "give the events table a DynamoDB stream of view type VIEW: NEW_IMAGE, NEW_AND_OLD_IMAGES "
     "or KEYS_ONLY (default: none asked for; an existing stream is left as it is)"},
    {"--enable", "VIEW", stream_bit, false,
     "turn the stream on with view type VIEW: NEW_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY"},
    {"--disable", "", stream_bit, false,
     "turn the stream off (its records stay readable for 24 hours)"},
    {"--from", "ID", count_bit | dump_bit | tail_bit, false,
     "only events with id >= ID (default 0: all)"},
    {"--uuid", "U", count_bit | dump_bit, false, "only the events of aggregate U, by version"},
    {"--aggregate", "U", tail_bit, false,
     "only the events of aggregate U, by version (read from the events table: no horizon)"},
    {"--class", "C", tail_bit, false,
     "only events of class C; give it again for more classes (filtered after reading)", 0, true},
    {"--horizon-ms", "N", tail_bit, false,
     "print an event once it is N ms old (default: the safe horizon, 4500 with the default "
     "settings); below it, an event whose write took longer than N ms may be passed over"},
    {"--poll-ms", "N", tail_bit, false,
     "when a poll found nothing, poll again after N ms, doubling up to 1000 (or N if more); "
     "default 100"},
    {"--limit", "N", tail_bit, false, "stop after printing N events"},
    {"--source", "S", tail_bit, false,
     "where live events come from: 'index' (default: polls the global index) or 'streams' "
     "(the events table's DynamoDB stream, which must be on: 'ddb-es stream --enable "
     "NEW_IMAGE'; the history before it is read from the index)"},
    {"--until-idle", "", tail_bit, false,
     "stop after the first poll that finds nothing new: every event older than the horizon "
     "was printed (with --horizon-ms 0, every event the index showed then)"},
    {"--projection", "P", checkpoints_bit | parked_bit, false,
     "the projection (projection_worker_options::projection)", parked_bit},
    {"--redrive", "ID KEY", parked_bit, false,
     "ask the workers to handle parked event ID KEY again (as listed); give it again for more", 0,
     true},
    {"--redrive-all", "", parked_bit, false,
     "ask the workers to handle every parked event of the projection again"},
    {"--json", "", parked_bit, false, "one JSON object a line"},
    {"--events-table", "N", all_commands & ~parked_bit, false,
     "the events table (default stored_events)"},
    {"--snapshots-table", "N", create_bit | describe_bit, false,
     "the snapshots table (default snapshots)"},
    {"--checkpoints-table", "N", create_bit | describe_bit | checkpoints_bit | parked_bit, false,
     "the checkpoints table (default checkpoints)"},
    {"--partitions", "K", create_bit | migrate_bit, false,
     "index partitions per time bucket, 1 to 1000, recorded in the store when it has no layout "
     "yet (create-tables, default 4) or when migrating (default: the old shard count); readers "
     "and writers use the recorded count"},
    {"--ca-file", "PATH", all_commands, true,
     "also trust the CA certificates of this PEM file (besides the system's); overrides "
     "AWS_CA_BUNDLE"},
    {"--timeout", "SECONDS", all_commands, true,
     "the longest one DynamoDB call may take, its retries and their waits included; each "
     "attempt is cut off at this too (default: no limit per call, 10 s per attempt). Decimals "
     "allowed. Waiting for a table to become ACTIVE is many calls, each with this limit"},
    {"--max-attempts", "N", all_commands, true,
     "attempts per call, the first included, N >= 1 (default: AWS_MAX_ATTEMPTS, else 3); 1 "
     "turns retries off"},
    {"--progress", "", all_commands, true,
     "report progress and retries on stderr even when it is not a terminal"},
    {"--quiet", "", all_commands, true,
     "report nothing on stderr but errors: no progress, no retries, no create-tables steps"},
};

const option_spec* find_option(std::string_view name) {
    for (const auto& o : option_specs)
        if (o.name == name)
            return &o;
    return nullptr;
}

const command_spec* find_command(std::string_view name) {
    for (const auto& c : command_specs)
        if (c.name == name)
            return &c;
    return nullptr;
}

const char* const environment_help =
    "environment:\n"
    "  AWS_REGION, AWS_DEFAULT_REGION    the region (or the profile's region)\n"
    "  AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL\n"
    "                        another endpoint, e.g. http://localhost:8000 for a local\n"
    "                        DynamoDB\n"
    "  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE\n"
    "                        credentials: the default chain (environment, profile files,\n"
    "                        container, instance metadata)\n"
    "  AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, AWS_CA_BUNDLE\n"
    "                        retries and trusted CAs (the options above override them)\n";

std::string synopsis(const command_spec& c) {
    std::string s = "usage: ddb-es " + std::string(c.name);
    for (const auto& o : option_specs) {
        if (o.common || !(o.commands & c.bit))
            continue;
        std::string one = std::string(o.name) + (o.value.empty() ? "" : " ") + std::string(o.value);
        std::replace(one.begin(), one.end(), ' ', '\x01');
        s += (o.required & c.bit) ? " " + one : " [" + one + "]" + (o.repeat ? "..." : "");
    }
    // Wrapped between options, never inside one ('\x01': a space kept).
    s = cli::wrap(s + " [COMMON\x01OPTIONS]", 8);
    std::replace(s.begin(), s.end(), '\x01', ' ');
    return s + "\n";
}

std::string global_help() {
    std::string h = "ddb-es " + std::string(cli::version) +
                    " - the event store's tables and events from the command line\n\n"
                    "usage: ddb-es COMMAND [OPTIONS]\n"
                    "       ddb-es help [COMMAND]\n"
                    "       ddb-es --version\n\n"
                    "commands:\n";
    for (const auto& c : command_specs)
        h += cli::option_line(c.name, "", c.summary);
    h += "\n'ddb-es help COMMAND' (or 'ddb-es COMMAND --help') describes a command and its "
         "options.\n\ncommon options (every command):\n";
    for (const auto& o : option_specs)
        if (o.common)
            h += cli::option_line(o.name, o.value, o.help);
    h += cli::option_line("-h, --help", "", "this text, or a command's with a command");
    h += cli::option_line("--version", "", "the version");
    h += "\n";
    h += environment_help;
    h += "\nexample:\n"
         "  AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000 ddb-es create-tables\n"
         "  ddb-es count --progress\n\n"
         "Exit status: 0 success, 1 error, 2 usage error.\n";
    return h;
}

std::string command_help(const command_spec& c) {
    std::string h = synopsis(c) + "\n" + cli::wrap(c.description, 0) + "\n\noptions:\n";
    for (const auto& o : option_specs)
        if (!o.common && (o.commands & c.bit))
            h += cli::option_line(o.name, o.value, o.help);
    h += "\ncommon options: --ca-file PATH, --timeout SECONDS, --max-attempts N, --progress,\n"
         "--quiet ('ddb-es --help' explains them and the environment)\n\nexample:\n  " +
         std::string(c.example) + "\n";
    return h;
}

std::string usage_hint(const command_spec* c) {
    if (c)
        return "Try 'ddb-es " + std::string(c->name) + " --help'.\n";
    return "usage: ddb-es COMMAND [OPTIONS]   (commands: create-tables, describe, count, dump,\n"
           "       migrate, tail, checkpoints, parked, stream)\n"
           "Try 'ddb-es --help'.\n";
}

// ---------------------------------------------------------------------------
// The command line.

// A decimal integer in [min, max], all of `text`; `what` says what is wanted.
std::int64_t parse_integer(std::string_view option, const std::string& text, std::int64_t min,
                           std::int64_t max, const char* what) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
        throw usage_error(std::string(option) + " wants " + what + ", got '" + text + "'");
    return v;
}

// DynamoDB's rule: 3 to 255 of [A-Za-z0-9_.-].
std::string table_name(std::string_view option, const std::string& text) {
    bool ok = text.size() >= 3 && text.size() <= 255;
    for (char ch : text)
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-');
    if (!ok)
        throw usage_error(std::string(option) +
                          " wants a table name (3 to 255 of A-Z a-z 0-9 _ . -), got '" + text +
                          "'");
    return text;
}

// Seconds, > 0 and at most a day, with an optional fraction ("2", "0.5").
std::chrono::milliseconds parse_seconds(std::string_view option, const std::string& text) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(v) || v < 0.001 || v > 86400)
        throw usage_error(std::string(option) +
                          " wants seconds, more than 0 and at most 86400 (e.g. 2 or 0.5), got '" +
                          text + "'");
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(v * 1000)));
}

// "--uuid", "--aggregate": an aggregate uuid as the store takes it.
std::string aggregate_uuid(std::string_view option, const std::string& text) {
    if (text.empty() || text[0] == '$')
        throw usage_error(std::string(option) +
                          " wants an aggregate uuid (not empty, not starting with '$'), got '" +
                          text + "'");
    return text;
}

// A projection's name: 1 to 255 bytes, no control characters (as
// checkpoint_store takes it).
std::string projection_name(std::string_view option, const std::string& text) {
    bool ok = !text.empty() && text.size() <= 255;
    for (unsigned char ch : text)
        ok = ok && ch >= 0x20 && ch != 0x7f;
    if (!ok)
        throw usage_error(std::string(option) +
                          " wants a projection name (1 to 255 bytes, no control characters), "
                          "got '" +
                          text + "'");
    return text;
}

// "--stream", "--enable": a stream view type the store offers, as DynamoDB
// spells it (any case).
ddb::stream_view_type view_type(std::string_view option, const std::string& text) {
    std::string upper = text;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    for (auto v : {ddb::stream_view_type::new_image, ddb::stream_view_type::new_and_old_images,
                   ddb::stream_view_type::keys_only})
        if (ddb::model::to_wire(v) == upper)
            return v;
    throw usage_error(std::string(option) + " wants NEW_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY" +
                      (upper == "OLD_IMAGE" ? " (OLD_IMAGE is of no use on the events table: an "
                                              "appended event has no old image)"
                                            : "") +
                      ", got '" + text + "'");
}

// The options of tail, checkpoints and parked; false for another option.
bool set_follow_option(options& o, std::string_view n, const std::string& value,
                       const std::string& second) {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    if (n == "--aggregate")
        o.aggregate = aggregate_uuid(n, value);
    else if (n == "--class") {
        if (value.empty())
            throw usage_error("--class wants an event class, got ''");
        o.classes.push_back(value);
    } else if (n == "--horizon-ms")
        o.horizon = std::chrono::milliseconds(
            parse_integer(n, value, 0, 86'400'000, "milliseconds from 0 to 86400000"));
    else if (n == "--poll-ms")
        o.poll = std::chrono::milliseconds(
            parse_integer(n, value, 1, 3'600'000, "milliseconds from 1 to 3600000"));
    else if (n == "--limit")
        o.limit = parse_integer(n, value, 1, max, "a number of events, at least 1");
    else if (n == "--until-idle")
        o.until_idle = true;
    else if (n == "--source") {
        if (value != "index" && value != "streams")
            throw usage_error("--source wants 'index' or 'streams', got '" + value + "'");
        o.stream_source = value == "streams";
    } else if (n == "--projection")
        o.projection = projection_name(n, value);
    else if (n == "--redrive") {
        auto id = parse_integer(n, value, 1, max, "a parked event's id and key (ID KEY)");
        if (second.empty())
            throw usage_error("--redrive wants a parked event's id and key (ID KEY), got an "
                              "empty key");
        o.redrive.emplace_back(id, second);
    } else if (n == "--redrive-all")
        o.redrive_all = true;
    else if (n == "--json")
        o.json = true;
    else
        return false;
    return true;
}

void set_option(options& o, const option_spec& spec, const std::string& value,
                const std::string& second) {
    const std::string_view n = spec.name;
    if (set_follow_option(o, n, value, second))
        return;
    if (n == "--force")
        o.force = true;
    else if (n == "--yes")
        o.yes = true;
    else if (n == "--ttl")
        o.config.ttl = true;
    else if (n == "--stream")
        o.config.stream = view_type(n, value);
    else if (n == "--enable")
        o.enable = view_type(n, value);
    else if (n == "--disable")
        o.disable = true;
    else if (n == "--progress")
        o.progress = true;
    else if (n == "--quiet")
        o.quiet = true;
    else if (n == "--events-table")
        o.config.events_table = table_name(n, value);
    else if (n == "--snapshots-table")
        o.config.snapshots_table = table_name(n, value);
    else if (n == "--checkpoints-table")
        o.config.checkpoints_table = table_name(n, value);
    else if (n == "--partitions") {
        o.partitions =
            static_cast<int>(parse_integer(n, value, 1, 1000, "an integer from 1 to 1000"));
        o.config.partitions = *o.partitions;
    } else if (n == "--from")
        o.from = parse_integer(n, value, 0, std::numeric_limits<std::int64_t>::max(),
                               "an event id (a non-negative 64-bit integer)");
    else if (n == "--uuid")
        o.uuid = aggregate_uuid(n, value);
    else if (n == "--ca-file") {
        // Checked here: the client reads it only when it opens a TLS connection.
        std::ifstream f(value);
        if (value.empty() || !f)
            throw usage_error("--ca-file: cannot read '" + value + "': " + std::strerror(errno));
        o.ca_file = value;
    } else if (n == "--timeout")
        o.timeout = parse_seconds(n, value);
    else if (n == "--max-attempts")
        o.max_attempts =
            static_cast<int>(parse_integer(n, value, 1, 100, "a number of attempts from 1 to 100"));
}

// The options given, together: each applies to the command, the command's
// required ones are there, none contradicts another.
void check_given(const options& o, const std::vector<const option_spec*>& given) {
    const command_spec& c = *o.command;
    for (const auto* spec : given)
        if (!(spec->commands & c.bit))
            throw usage_error("option " + std::string(spec->name) + " does not apply to " +
                              std::string(c.name));
    for (const auto& spec : option_specs)
        if ((spec.required & c.bit) && std::find(given.begin(), given.end(), &spec) == given.end())
            throw usage_error(std::string(c.name) + " needs " + std::string(spec.name) + " " +
                              std::string(spec.value));
    if (o.progress && o.quiet)
        throw usage_error("--progress and --quiet contradict each other");
    if (o.yes && !o.force)
        throw usage_error("--yes confirms --force; without --force it has nothing to confirm");
    if (o.enable && o.disable)
        throw usage_error("--enable and --disable contradict each other");
    if (o.redrive_all && !o.redrive.empty())
        throw usage_error("--redrive-all re-drives every parked event; give it or --redrive, "
                          "not both");
}

// Options may come before or after the command, as "--name value" or "--name=value".
// Fills `o` as it goes, so that a usage error's hint can name the command.
void parse(int argc, char** argv, options& o) {
    std::vector<const option_spec*> given;
    bool help_command = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            o.what = options::action::help;
            continue;
        }
        if (arg == "--version") {
            o.what = options::action::version;
            continue;
        }
        if (arg.empty() || arg[0] != '-') {
            if (!o.command && !help_command && arg == "help") {
                help_command = true;
                o.what = options::action::help;
            } else if (!o.command) {
                o.command = find_command(arg);
                if (!o.command)
                    throw usage_error("unknown command '" + arg + "'");
            } else
                throw usage_error("unexpected argument '" + arg + "'");
            continue;
        }
        std::optional<std::string> inline_value;
        if (auto eq = arg.find('='); eq != std::string::npos && arg.starts_with("--")) {
            inline_value = arg.substr(eq + 1);
            arg.resize(eq);
        }
        const option_spec* spec = find_option(arg);
        if (!spec)
            throw usage_error("unknown option '" + arg + "'");
        std::string value, second;
        const bool two = spec->value.find(' ') != std::string_view::npos; // "ID KEY"
        const std::string wants = arg + " wants " + (two ? "two values" : "a value") + " (" +
                                  std::string(spec->value) + ")";
        if (!spec->value.empty()) {
            if (inline_value)
                value = *inline_value;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                throw usage_error(wants);
            if (two && i + 1 >= argc)
                throw usage_error(wants);
            if (two)
                second = argv[++i];
        } else if (inline_value)
            throw usage_error(arg + " takes no value");
        given.push_back(spec);
        set_option(o, *spec, value, second);
    }
    if (o.what != options::action::run)
        return;
    if (!o.command)
        throw usage_error("no command given");
    check_given(o, given);
}

// ---------------------------------------------------------------------------
// Reports of failed calls.

// A retry as "GetItem attempt 1 of 3 failed (connection failed); retrying
// in 0.5 s".
std::string retry_line(const ddb::attempt_info& a) {
    return std::string(a.operation) + " attempt " + std::to_string(a.attempt) + " of " +
           std::to_string(a.max_attempts) + " failed (" + std::string(a.error) + "); retrying in " +
           seconds(a.delay);
}

// "GetItem failed after 3 attempts over 2.5 s" (and whether --timeout ended it).
std::string failure_summary(const ddb::call_metrics& m, const options& o) {
    std::string s = m.operation + " failed after " +
                    plural(static_cast<std::int64_t>(m.attempts.size()), "attempt", "attempts") +
                    " over " + seconds(m.total);
    if (o.timeout && m.total + std::chrono::milliseconds(100) >= *o.timeout)
        s += " (the --timeout limit)";
    return s;
}

// ---------------------------------------------------------------------------
// DescribeTable's enums as DynamoDB spells them.

template <class E>
std::string name(E value) {
    const std::string_view wire = ddb::model::to_wire(value);
    return wire.empty() ? "UNKNOWN" : std::string(wire);
}

// "pk HASH (S), v RANGE (N)": key attributes with their declared types.
std::string keys(const std::vector<ddb::key_schema_element>& schema,
                 const std::vector<ddb::attribute_definition>& definitions) {
    std::string out;
    for (const auto& k : schema) {
        if (!out.empty())
            out += ", ";
        out += k.attribute_name + " " + name(k.key_type);
        for (const auto& d : definitions)
            if (d.attribute_name == k.attribute_name)
                out += " (" + name(d.attribute_type) + ")";
    }
    return out;
}

// ---------------------------------------------------------------------------
// The store's layout, as far as the tool needs it (<ddb/es/tables.hpp>).

ddb::item meta_key() {
    return {{"pk", ddb::attribute_value("$meta")},
            {"v", ddb::attribute_value(ddb::number(std::int64_t{0}))}};
}

/// The meta item, if there is one (strongly consistent).
awaitable<std::optional<ddb::item>> read_meta(ddb::client& c, const std::string& events_table) {
    ddb::get_item_request req{
        .table_name = events_table, .key = meta_key(), .consistent_read = true};
    auto r = co_await c.get_item(req);
    co_return std::move(r.item);
}

std::optional<std::int64_t> meta_number(const std::optional<ddb::item>& meta, const char* name) {
    if (!meta)
        return std::nullopt;
    auto f = meta->find(name);
    if (f == meta->end() || f->second.type() != ddb::attribute_value::kind::N)
        return std::nullopt;
    return f->second.as_n().as<std::int64_t>();
}

// ---------------------------------------------------------------------------
// describe

// "  layout: version 2, 4 index partitions, 24-hour buckets\n", from the
// meta item.
std::string layout_line(const std::string& table, const std::optional<ddb::item>& meta) {
    const auto lv = meta_number(meta, "lv");
    const auto partitions = meta_number(meta, "partitions");
    const auto shards = meta_number(meta, "shards");
    const auto hours = meta_number(meta, "bh");
    std::string hours_text = hours ? ", " + std::to_string(*hours) + "-hour buckets" : "";
    if (!meta)
        return "  layout: none recorded yet (create-tables or the first writer records it)\n";
    if (!lv)
        return "  layout: old (" +
               (shards ? plural(*shards, "shard", "shards") + " by id" : "by id") + hours_text +
               "): stop every writer, then run 'ddb-es migrate --events-table " + table + "'\n";
    return "  layout: version " + std::to_string(*lv) + ", " +
           plural(partitions.value_or(0), "index partition", "index partitions") + hours_text +
           "\n";
}

// "  stream: enabled, NEW_IMAGE\n  latest stream: ARN (label L)\n", or
// "  stream: off\n" (and the last stream, disabled, when there was one).
std::string stream_lines(const ddb::es::events_stream_status& s) {
    std::string text = "  stream: ";
    if (s.enabled)
        text += "enabled, " + (s.view_type ? name(*s.view_type) : std::string("UNKNOWN")) + "\n";
    else
        text += "off\n";
    if (s.latest_arn)
        text += std::string(s.enabled ? "  latest stream: "
                                      : "  latest stream (disabled: its records stay readable "
                                        "for 24 hours): ") +
                *s.latest_arn + (s.latest_label ? " (label " + *s.latest_label + ")" : "") + "\n";
    return text;
}

// Prints one table; false when it does not exist.
awaitable<bool> describe_one(ddb::client& c, const std::string& table, const char* role,
                             bool events_table) {
    ddb::describe_table_response r;
    try {
        r = co_await c.describe_table(table);
    } catch (const ddb::resource_not_found&) {
        out(table + " (" + role + " table): does not exist\n");
        co_return false;
    }
    const auto& t = r.table;
    std::optional<ddb::item> meta;
    std::string text =
        t.table_name + " (" + role + " table)\n" + "  status: " + name(t.table_status) + "\n";
    if (!t.item_count)
        text += "  items: unknown\n";
    else if (events_table) {
        // The store's own item is not an event. ItemCount lags behind the
        // table (DynamoDB refreshes it about every six hours): when it is
        // below the internal items it is plainly out of date.
        std::int64_t internal = 0;
        std::string unreadable;
        try {
            meta = co_await read_meta(c, table);
            internal = meta ? 1 : 0;
        } catch (const ddb::service_error& e) {
            // Not an event store's table (another key schema, say).
            unreadable = e.what();
        }
        if (!unreadable.empty())
            text += "  items: " + std::to_string(*t.item_count) +
                    ", approximate; the store's meta item cannot be read: " + unreadable + "\n";
        else if (*t.item_count >= internal)
            text += "  items: " + std::to_string(*t.item_count) + " (" +
                    plural(*t.item_count - internal, "event", "events") + ", " +
                    std::to_string(internal) + " internal), approximate\n";
        else
            text += "  items: " + std::to_string(*t.item_count) +
                    " (approximate and out of date: the table holds " + std::to_string(internal) +
                    " internal item; 'ddb-es count' counts the events)\n";
    } else
        text += "  items: " + std::to_string(*t.item_count) + ", approximate\n";
    text += "  key: " + keys(t.key_schema, t.attribute_definitions) + "\n";
    if (t.billing_mode_summary && t.billing_mode_summary->billing_mode)
        text += std::string("  billing: ") + name(*t.billing_mode_summary->billing_mode) + "\n";
    if (t.global_secondary_indexes.empty() && t.local_secondary_indexes.empty())
        text += "  indexes: none\n";
    for (const auto& g : t.global_secondary_indexes) {
        text +=
            "  global index " + g.index_name + ": " + keys(g.key_schema, t.attribute_definitions);
        if (g.projection && g.projection->projection_type)
            text += std::string("; projection ") + name(*g.projection->projection_type);
        if (g.index_status)
            text += std::string("; ") + name(*g.index_status);
        text += "\n";
    }
    for (const auto& l : t.local_secondary_indexes)
        text += "  local index " + l.index_name + ": " +
                keys(l.key_schema, t.attribute_definitions) + "\n";
    if (events_table)
        text += layout_line(table, meta);
    if (events_table) {
        text += "  ttl: ";
        try {
            auto d = co_await c.describe_time_to_live(table);
            if (d.time_to_live_description && d.time_to_live_description->time_to_live_status) {
                text += name(*d.time_to_live_description->time_to_live_status);
                if (d.time_to_live_description->attribute_name)
                    text += " (" + *d.time_to_live_description->attribute_name + ")";
            } else
                text += "unknown";
        } catch (const ddb::service_error& e) {
            // dynalite, for one, has no DescribeTimeToLive.
            text += std::string("unknown (") + e.what() + ")";
        }
        text += "\n";
        text += stream_lines(ddb::es::stream_status_of(t));
    }
    out(text);
    co_return true;
}

awaitable<int> describe(ddb::client& c, const options& o, tool&) {
    bool events = co_await describe_one(c, o.config.events_table, "events", true);
    bool snapshots = co_await describe_one(c, o.config.snapshots_table, "snapshots", false);
    bool checkpoints = co_await describe_one(c, o.config.checkpoints_table, "checkpoints", false);
    if (events || snapshots || checkpoints)
        out("(approximate: DynamoDB refreshes a table's item count about every six hours; "
            "'ddb-es count' counts the events exactly)\n");
    co_return events&& snapshots&& checkpoints ? 0 : 1;
}

// ---------------------------------------------------------------------------
// stream

// Shows the events table's stream; with --enable or --disable, first turns
// it on or off (each step on stderr).
awaitable<int> stream(ddb::client& c, const options& o, tool& t) {
    const std::string& table = o.config.events_table;
    std::string last_step;
    status_scope scope{t.r};
    t.r.status = [&] {
        return "stream: " + (last_step.empty() ? std::string("starting") : last_step) + ", " +
               seconds_since(t.r.started);
    };
    ddb::es::events_stream_status s;
    try {
        if (o.enable || o.disable) {
            std::function<void(std::string_view)> progress = [&](std::string_view line) {
                last_step = line;
                t.r.step(line);
            };
            s = co_await ddb::es::set_events_stream(c, o.config, o.enable, progress);
        } else {
            auto r = co_await c.describe_table(table);
            s = ddb::es::stream_status_of(r.table);
        }
    } catch (const ddb::resource_not_found&) {
        t.r.clear();
        out(table + " (events table): does not exist\n");
        co_return 1;
    }
    t.r.clear();
    out(table + " (events table)\n" + stream_lines(s));
    co_return 0;
}

// ---------------------------------------------------------------------------
// create-tables

// "stored_events (about 12 items)", or nothing when the table does not exist.
awaitable<std::optional<std::string>> existing_table(ddb::client& c, const std::string& table) {
    try {
        auto r = co_await c.describe_table(table);
        std::string s = table;
        if (r.table.item_count)
            s += " (about " + plural(*r.table.item_count, "item", "items") + ")";
        co_return s;
    } catch (const ddb::resource_not_found&) {
        co_return std::nullopt;
    }
}

awaitable<int> create_tables(ddb::client& c, const options& o, tool& t) {
    if (o.force && !o.yes) {
        std::string doomed;
        for (const auto* table :
             {&o.config.events_table, &o.config.snapshots_table, &o.config.checkpoints_table})
            if (auto e = co_await existing_table(c, *table))
                doomed += (doomed.empty() ? "" : " and ") + *e;
        if (!doomed.empty()) {
            if (!isatty(STDIN_FILENO))
                throw usage_error("--force would delete " + doomed +
                                  " with all their data; stdin is not a terminal, so nobody can "
                                  "confirm: add --yes to do it (nothing was deleted)");
            t.r.clear();
            std::cerr << "ddb-es: --force deletes " << doomed
                      << " with all their data and creates the tables again.\n"
                      << "Type the events table's name (" << o.config.events_table
                      << ") to confirm: " << std::flush;
            std::string answer;
            if (!std::getline(std::cin, answer) || answer != o.config.events_table)
                throw std::runtime_error("not confirmed: nothing was deleted");
        }
    }
    std::string last_step;
    std::function<void(std::string_view)> progress = [&](std::string_view line) {
        last_step = line;
        t.r.step(line);
    };
    status_scope scope{t.r};
    t.r.status = [&] {
        // After "creating T" the library waits for T to become ACTIVE.
        std::string doing = last_step.empty() ? std::string("starting")
                            : last_step.starts_with("creating ")
                                ? "waiting for " + last_step.substr(9) + " to become ACTIVE"
                                : last_step;
        return "create-tables: " + doing + ", " + seconds_since(t.r.started);
    };
    co_await ddb::es::create_tables(c, o.config, o.force, progress);
    co_return 0;
}

// ---------------------------------------------------------------------------
// count and dump

/// How far a count or a dump has come, for its status line and summary.
struct read_state {
    /// The buckets a global read walks; read for progress reports only.
    std::optional<ddb::es::bucket_range> range;
    /// The store's index partitions (queries per bucket), with `range`.
    int partitions = 0;
    std::int64_t events = 0, last_id = -1;
    std::chrono::system_clock::time_point last_created_at{};
};

// "count: 12 queries, about 3 of 10 buckets (4 queries each)"
std::string count_status(const read_state& s, std::int64_t queries) {
    std::string text = "count: " + plural(queries, "query", "queries");
    if (s.range && s.range->count > 0 && s.partitions > 0)
        text += ", about " + std::to_string(std::min(s.range->count, queries / s.partitions)) +
                " of " + plural(s.range->count, "bucket", "buckets") + " (" +
                std::to_string(s.partitions) + " queries each)";
    return text;
}

// "dump: 40 events, bucket 3 of 10 (2026-01-01), 12 queries"
std::string dump_status(const read_state& s, std::int64_t queries) {
    std::string text = "dump: " + plural(s.events, "event", "events");
    if (s.range && s.range->count > 0 && s.last_id >= 0)
        text += ", bucket " + std::to_string(s.last_id / s.range->width - s.range->first + 1) +
                " of " + std::to_string(s.range->count) + " (" +
                ddb::es::format_timestamp(s.last_created_at).substr(0, 10) + ")";
    return text + ", " + plural(queries, "query", "queries");
}

} // namespace

std::string ddb::es_tool::json_line(const ddb::es::stored_event& e) {
    json::object line;
    line["id"] = e.id;
    if (e.aggregate_uuid)
        line["aggregate_uuid"] = *e.aggregate_uuid;
    else
        line["aggregate_uuid"] = nullptr;
    line["aggregate_version"] = e.aggregate_version;
    line["event_version"] = e.event_version;
    line["event_class"] = e.event_class;
    line["event_properties"] = e.event_properties;
    line["meta_data"] = e.meta_data;
    line["created_at"] = ddb::es::format_timestamp(e.created_at);
    if (e.expires_at)
        line["expires_at"] = ddb::es::format_timestamp(*e.expires_at);
    std::string text = json::serialize(line);
    text += '\n';
    return text;
}

namespace {

// count and dump: the same read of the store (one aggregate's events with
// --uuid, else every time bucket from --from's on) and the same reports on
// stderr. count asks DynamoDB for counts only (Select COUNT) and prints the
// total; dump prints each event as it arrives.
awaitable<int> count_or_dump(ddb::client& c, const options& o, tool& t) {
    const bool dump = o.command->bit == dump_bit;
    const std::string verb(o.command->name);
    ddb::es::dynamodb_event_repository repo(c, o.config);
    read_state s;
    const std::int64_t queries_before = t.log.queries;
    auto queries = [&] { return t.log.queries - queries_before; };
    status_scope scope{t.r};
    t.r.status = [&] {
        return (dump ? dump_status(s, queries()) : count_status(s, queries())) + ", " +
               seconds_since(t.r.started);
    };
    if (t.r.progress && !o.uuid) {
        s.range = co_await repo.global_buckets(o.from);
        s.partitions = co_await repo.partition_count(); // read with the range
    }
    if (dump) {
        auto events = repo.retrieve_all_starting_from(o.from, o.uuid);
        while (auto e = co_await events.next()) {
            out(json_line(*e));
            ++s.events;
            s.last_id = e->id;
            s.last_created_at = e->created_at;
        }
    } else
        s.events = co_await repo.count_all_starting_from(o.from, o.uuid);
    std::string summary = verb + ": " + plural(s.events, "event", "events");
    if (o.uuid)
        summary += " of aggregate " + *o.uuid;
    else if (s.range)
        summary += (dump ? " from " : " in ") + plural(s.range->count, "bucket", "buckets");
    t.r.note(summary + " (" + plural(queries(), "query", "queries") + ", " +
             seconds_since(t.r.started) + ")");
    t.r.clear();
    if (!dump)
        out(std::to_string(s.events) + "\n");
    co_return 0;
}

// ---------------------------------------------------------------------------
// migrate

// "migrate: 1200 items scanned, 1100 events rewritten, 0 already right"
std::string migrate_status(const ddb::es::migrate_progress& p) {
    std::string text = "migrate: " + plural(p.scanned, "item", "items") + " scanned, " +
                       plural(p.rewritten, "event", "events") + " rewritten, " +
                       std::to_string(p.in_place) + " already right";
    if (p.vanished)
        text += ", " + std::to_string(p.vanished) + " deleted meanwhile";
    return text;
}

awaitable<int> migrate(ddb::client& c, const options& o, tool& t) {
    ddb::es::migrate_progress now;
    status_scope scope{t.r};
    t.r.status = [&] { return migrate_status(now) + ", " + seconds_since(t.r.started); };
    ddb::es::migrate_options mo;
    mo.partitions = o.partitions;
    std::function<void(const ddb::es::migrate_progress&)> progress =
        [&now](const ddb::es::migrate_progress& p) { now = p; };
    auto r = co_await ddb::es::migrate_layout(c, o.config, mo, progress);
    const std::string& table = o.config.events_table;
    const std::string partitions = plural(r.partitions, "index partition", "index partitions");
    if (!r.migrated) {
        t.r.clear();
        out(table + ": the current layout already (" + partitions + "): nothing to do\n");
        co_return 0;
    }
    t.r.note(migrate_status(r.counts) + " (" + seconds_since(t.r.started) + ")");
    t.r.clear();
    out(table + ": migrated to layout version 2 with " + partitions +
        (r.old_shards ? " (was " + plural(*r.old_shards, "shard", "shards") + " by id)" : "") +
        "; " + plural(r.counts.rewritten, "event", "events") + " rewritten, " +
        std::to_string(r.counts.in_place) + " already right, " + std::to_string(r.counts.vanished) +
        " deleted meanwhile\n");
    co_return 0;
}

// ---------------------------------------------------------------------------

// The status line, every `interval` until `done`.
awaitable<void> ticker(reporter& r, asio::steady_timer& timer, const bool& done) {
    while (!done) {
        timer.expires_after(r.interval());
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!done)
            r.tick();
    }
}

int run(const options& o, tool& t) {
    asio::io_context ioc;
    ddb::client_config cfg;
    if (o.ca_file)
        cfg.pool.tls.ca_file = *o.ca_file;
    if (o.timeout) {
        cfg.call_timeout = *o.timeout;
        cfg.attempt_timeout = std::min(cfg.attempt_timeout, *o.timeout);
    }
    if (o.max_attempts) {
        cfg.retry = ddb::retry_config::from_environment();
        cfg.retry->max_attempts = *o.max_attempts;
    }
    cfg.hooks.on_call = [&t](const ddb::call_metrics& m) {
        if (!m.success) {
            t.log.last_failed = m;
            return;
        }
        t.log.last_failed.reset();
        if (m.operation == "Query" || m.operation == "GetRecords")
            ++t.log.queries;
    };
    if (t.r.progress)
        cfg.hooks.on_attempt = [&t](const ddb::attempt_info& a) {
            if (a.outcome == ddb::attempt_outcome::retrying)
                t.r.note(retry_line(a));
        };
    t.config = cfg;
    ddb::client c(ioc.get_executor(), std::move(cfg));

    awaitable<int> (*command)(ddb::client&, const options&, tool&) =
        o.command->bit == create_bit        ? create_tables
        : o.command->bit == describe_bit    ? describe
        : o.command->bit == migrate_bit     ? migrate
        : o.command->bit == tail_bit        ? tail
        : o.command->bit == checkpoints_bit ? checkpoints
        : o.command->bit == parked_bit      ? parked
        : o.command->bit == stream_bit      ? stream
                                            : count_or_dump;
    int rc = 1;
    bool done = false;
    std::exception_ptr error;
    asio::steady_timer timer(ioc);
    asio::co_spawn(ioc, command(c, o, t), [&](std::exception_ptr e, int r) {
        error = e;
        rc = r;
        done = true;
        timer.cancel();
    });
    if (t.r.progress)
        asio::co_spawn(ioc, ticker(t.r, timer, done), asio::detached);
    ioc.run();
    t.r.clear();
    if (error)
        std::rethrow_exception(error);
    return rc;
}

} // namespace

int main(int argc, char** argv) {
    options o;
    tool t;
    try {
        parse(argc, argv, o);
        if (o.what == options::action::version) {
            out("ddb-es " + std::string(cli::version) + "\n");
            cli::close_stdout();
            return 0;
        }
        if (o.what == options::action::help) {
            out(o.command ? command_help(*o.command) : global_help());
            cli::close_stdout();
            return 0;
        }
        t.r.tty = isatty(STDERR_FILENO);
        t.r.steps = !o.quiet;
        // A dump or a tail to the terminal is its own progress report.
        t.r.progress =
            o.progress || (!o.quiet && t.r.tty &&
                           !((o.command->bit & (dump_bit | tail_bit)) && isatty(STDOUT_FILENO)));
        int rc = run(o, t);
        cli::close_stdout();
        return rc;
    } catch (const usage_error& e) {
        t.r.clear();
        std::cerr << "ddb-es: " << e.what() << "\n" << usage_hint(o.command);
        return 2;
    } catch (const ddb::es::es_error& e) {
        std::cerr << "ddb-es: " << e.what() << "\n";
        return e.kind() == ddb::es::es_errc::invalid_argument ||
                       e.kind() == ddb::es::es_errc::invalid_aggregate_uuid
                   ? 2
                   : 1;
    } catch (const std::exception& e) {
        std::string message = e.what();
        if (t.log.last_failed && t.log.last_failed->error == message)
            message = failure_summary(*t.log.last_failed, o) + ": " + message;
        std::cerr << "ddb-es: " << message << "\n";
        return 1;
    }
}
