//
// ddb-es — the event store's tables and events from the command line: creates
// the tables, describes them, counts and dumps the stored events.
//
//   ddb-es create-tables [--force] [--ttl] [--shards K] [--events-table N] [--snapshots-table N]
//   ddb-es describe [--events-table N] [--snapshots-table N]
//   ddb-es count [--from ID] [--uuid U] [--events-table N] [--shards K]
//   ddb-es dump [--from ID] [--uuid U] [--events-table N] [--shards K]
//
// The client is configured from the environment (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB
// or AWS_ENDPOINT_URL, the default credentials chain). Exit status: 0 success,
// 1 error, 2 usage error.
//
#include <ddb/client.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_metadata.hpp>
#include <ddb/es/tables.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;

const char* const usage_text =
    "usage: ddb-es COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  create-tables [--force] [--ttl] [--shards K] [--events-table N] [--snapshots-table N]\n"
    "      create the events and snapshots tables and wait until they are active;\n"
    "      --force deletes and recreates existing tables, --ttl enables TTL on the\n"
    "      events table (attribute expires_at)\n"
    "  describe [--events-table N] [--snapshots-table N]\n"
    "      status, item count, key schema and indexes of both tables, TTL of the\n"
    "      events table\n"
    "  count [--from ID] [--uuid U] [--events-table N] [--shards K]\n"
    "      the number of events with id >= ID (default 0), of aggregate U or of all\n"
    "  dump [--from ID] [--uuid U] [--events-table N] [--shards K]\n"
    "      those events as JSON lines: by ascending id, or by version with --uuid\n"
    "\n"
    "options:\n"
    "  --events-table N     default stored_events\n"
    "  --snapshots-table N  default snapshots\n"
    "  --shards K           global index shards per time bucket, 1 to 1000 (default 4);\n"
    "                       must be the writers' store_config.shards\n"
    "  -h, --help           this text\n"
    "\n"
    "The client is configured from the environment: AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB\n"
    "or AWS_ENDPOINT_URL, credentials from the default chain (environment, profile files,\n"
    "container, instance metadata).\n"
    "Exit status: 0 success, 1 error, 2 usage error.\n";

/// A command line that cannot be run: usage on stderr, exit 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct options {
    std::string command{};
    ddb::es::store_config config{};
    bool force = false;
    std::int64_t from = 0;
    std::optional<std::string> uuid{};
    bool help = false;
};

// A decimal integer in [min, max], all of `text`; `what` says what is wanted.
std::int64_t parse_integer(const std::string& option, const std::string& text, std::int64_t min,
                           std::int64_t max, const char* what) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
        throw usage_error(option + " wants " + what + ", got '" + text + "'");
    return v;
}

// DynamoDB's rule: 3 to 255 of [A-Za-z0-9_.-].
std::string table_name(const std::string& option, const std::string& text) {
    bool ok = text.size() >= 3 && text.size() <= 255;
    for (char ch : text)
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-');
    if (!ok)
        throw usage_error(option + " wants a table name (3 to 255 of A-Z a-z 0-9 _ . -), got '" +
                          text + "'");
    return text;
}

options parse(int argc, char** argv) {
    options o;
    o.command = argv[1];
    std::vector<std::string> allowed;
    if (o.command == "create-tables")
        allowed = {"--force", "--ttl", "--shards", "--events-table", "--snapshots-table"};
    else if (o.command == "describe")
        allowed = {"--events-table", "--snapshots-table"};
    else if (o.command == "count" || o.command == "dump")
        allowed = {"--from", "--uuid", "--events-table", "--shards"};
    else
        throw usage_error("unknown command '" + o.command + "'");
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            o.help = true;
            return o;
        }
        if (std::find(allowed.begin(), allowed.end(), arg) == allowed.end())
            throw usage_error("unknown option '" + arg + "' for " + o.command);
        if (arg == "--force") {
            o.force = true;
            continue;
        }
        if (arg == "--ttl") {
            o.config.ttl = true;
            continue;
        }
        if (i + 1 >= argc)
            throw usage_error(arg + " wants a value");
        std::string value = argv[++i];
        if (arg == "--events-table")
            o.config.events_table = table_name(arg, value);
        else if (arg == "--snapshots-table")
            o.config.snapshots_table = table_name(arg, value);
        else if (arg == "--shards")
            o.config.shards =
                static_cast<int>(parse_integer(arg, value, 1, 1000, "an integer from 1 to 1000"));
        else if (arg == "--from")
            o.from = parse_integer(arg, value, 0, std::numeric_limits<std::int64_t>::max(),
                                   "an event id (a non-negative 64-bit integer)");
        else if (arg == "--uuid") {
            if (value.empty() || value[0] == '$')
                throw usage_error("--uuid wants an aggregate uuid (not empty, not starting with "
                                  "'$'), got '" +
                                  value + "'");
            o.uuid = value;
        }
    }
    return o;
}

const char* name(ddb::table_status s) {
    switch (s) {
    case ddb::table_status::creating:
        return "CREATING";
    case ddb::table_status::updating:
        return "UPDATING";
    case ddb::table_status::deleting:
        return "DELETING";
    case ddb::table_status::active:
        return "ACTIVE";
    case ddb::table_status::inaccessible_encryption_credentials:
        return "INACCESSIBLE_ENCRYPTION_CREDENTIALS";
    case ddb::table_status::archiving:
        return "ARCHIVING";
    case ddb::table_status::archived:
        return "ARCHIVED";
    default:
        return "UNKNOWN";
    }
}

const char* name(ddb::index_status s) {
    switch (s) {
    case ddb::index_status::creating:
        return "CREATING";
    case ddb::index_status::updating:
        return "UPDATING";
    case ddb::index_status::deleting:
        return "DELETING";
    case ddb::index_status::active:
        return "ACTIVE";
    default:
        return "UNKNOWN";
    }
}

const char* name(ddb::projection_type p) {
    switch (p) {
    case ddb::projection_type::all:
        return "ALL";
    case ddb::projection_type::keys_only:
        return "KEYS_ONLY";
    case ddb::projection_type::include:
        return "INCLUDE";
    default:
        return "UNKNOWN";
    }
}

const char* name(ddb::billing_mode b) {
    switch (b) {
    case ddb::billing_mode::provisioned:
        return "PROVISIONED";
    case ddb::billing_mode::pay_per_request:
        return "PAY_PER_REQUEST";
    default:
        return "UNKNOWN";
    }
}

const char* name(ddb::time_to_live_status s) {
    switch (s) {
    case ddb::time_to_live_status::enabling:
        return "ENABLING";
    case ddb::time_to_live_status::disabling:
        return "DISABLING";
    case ddb::time_to_live_status::enabled:
        return "ENABLED";
    case ddb::time_to_live_status::disabled:
        return "DISABLED";
    default:
        return "UNKNOWN";
    }
}

// "pk HASH (S), v RANGE (N)": key attributes with their declared types.
std::string keys(const std::vector<ddb::key_schema_element>& schema,
                 const std::vector<ddb::attribute_definition>& definitions) {
    std::string out;
    for (const auto& k : schema) {
        if (!out.empty())
            out += ", ";
        out += k.attribute_name + (k.key_type == ddb::key_type::hash ? " HASH" : " RANGE");
        for (const auto& d : definitions)
            if (d.attribute_name == k.attribute_name)
                out += d.attribute_type == ddb::scalar_attribute_type::s   ? " (S)"
                       : d.attribute_type == ddb::scalar_attribute_type::n ? " (N)"
                                                                           : " (B)";
    }
    return out;
}

// Prints one table; false when it does not exist.
awaitable<bool> describe_one(ddb::client& c, const std::string& table, const char* role, bool ttl) {
    ddb::describe_table_response r;
    try {
        r = co_await c.describe_table(table);
    } catch (const ddb::resource_not_found&) {
        std::cout << table << " (" << role << " table): does not exist\n";
        co_return false;
    }
    const auto& t = r.table;
    std::cout << t.table_name << " (" << role << " table)\n"
              << "  status: " << name(t.table_status) << "\n"
              << "  items: " << (t.item_count ? std::to_string(*t.item_count) : "unknown") << "\n"
              << "  key: " << keys(t.key_schema, t.attribute_definitions) << "\n";
    if (t.billing_mode_summary && t.billing_mode_summary->billing_mode)
        std::cout << "  billing: " << name(*t.billing_mode_summary->billing_mode) << "\n";
    if (t.global_secondary_indexes.empty() && t.local_secondary_indexes.empty())
        std::cout << "  indexes: none\n";
    for (const auto& g : t.global_secondary_indexes) {
        std::cout << "  global index " << g.index_name << ": "
                  << keys(g.key_schema, t.attribute_definitions);
        if (g.projection && g.projection->projection_type)
            std::cout << "; projection " << name(*g.projection->projection_type);
        if (g.index_status)
            std::cout << "; " << name(*g.index_status);
        std::cout << "\n";
    }
    for (const auto& l : t.local_secondary_indexes)
        std::cout << "  local index " << l.index_name << ": "
                  << keys(l.key_schema, t.attribute_definitions) << "\n";
    if (ttl) {
        try {
            auto d = co_await c.describe_time_to_live(table);
            std::cout << "  ttl: ";
            if (d.time_to_live_description && d.time_to_live_description->time_to_live_status) {
                std::cout << name(*d.time_to_live_description->time_to_live_status);
                if (d.time_to_live_description->attribute_name)
                    std::cout << " (" << *d.time_to_live_description->attribute_name << ")";
            } else
                std::cout << "unknown";
            std::cout << "\n";
        } catch (const ddb::service_error& e) {
            // dynalite, for one, has no DescribeTimeToLive.
            std::cout << "  ttl: unknown (" << e.what() << ")\n";
        }
    }
    co_return true;
}

awaitable<int> describe(ddb::client& c, const options& o) {
    bool events = co_await describe_one(c, o.config.events_table, "events", true);
    bool snapshots = co_await describe_one(c, o.config.snapshots_table, "snapshots", false);
    co_return events&& snapshots ? 0 : 1;
}

awaitable<int> create_tables(ddb::client& c, const options& o) {
    std::function<void(std::string_view)> progress = [](std::string_view line) {
        std::cerr << "ddb-es: " << line << "\n";
    };
    co_await ddb::es::create_tables(c, o.config, o.force, progress);
    co_return 0;
}

awaitable<int> count(ddb::client& c, const options& o) {
    ddb::es::dynamodb_event_repository repo(c, o.config);
    std::int64_t n = co_await repo.count_all_starting_from(o.from, o.uuid);
    std::cout << n << "\n";
    co_return 0;
}

awaitable<int> dump(ddb::client& c, const options& o) {
    ddb::es::dynamodb_event_repository repo(c, o.config);
    auto events = repo.retrieve_all_starting_from(o.from, o.uuid);
    while (auto e = co_await events.next()) {
        json::object line;
        line["id"] = e->id;
        if (e->aggregate_uuid)
            line["aggregate_uuid"] = *e->aggregate_uuid;
        else
            line["aggregate_uuid"] = nullptr;
        line["aggregate_version"] = e->aggregate_version;
        line["event_version"] = e->event_version;
        line["event_class"] = e->event_class;
        line["event_properties"] = e->event_properties;
        line["meta_data"] = e->meta_data;
        line["created_at"] = ddb::es::format_timestamp(e->created_at);
        if (e->expires_at)
            line["expires_at"] = ddb::es::format_timestamp(*e->expires_at);
        std::cout << json::serialize(line) << "\n";
    }
    std::cout.flush();
    co_return 0;
}

int run(const options& o) {
    asio::io_context ioc;
    ddb::client c(ioc.get_executor());
    awaitable<int> (*command)(ddb::client&, const options&) = o.command == "create-tables"
                                                                  ? create_tables
                                                              : o.command == "describe" ? describe
                                                              : o.command == "count"    ? count
                                                                                        : dump;
    int rc = 1;
    std::exception_ptr error;
    asio::co_spawn(ioc, command(c, o), [&](std::exception_ptr e, int r) {
        error = e;
        rc = r;
    });
    ioc.run();
    if (error)
        std::rethrow_exception(error);
    return rc;
}

} // namespace

int main(int argc, char** argv) try {
    if (argc < 2) {
        std::cerr << usage_text;
        return 2;
    }
    std::string_view first = argv[1];
    options o = first == "-h" || first == "--help" ? options{.help = true} : parse(argc, argv);
    if (o.help) {
        std::cout << usage_text;
        return 0;
    }
    return run(o);
} catch (const usage_error& e) {
    std::cerr << "ddb-es: " << e.what() << "\n" << usage_text;
    return 2;
} catch (const ddb::es::es_error& e) {
    std::cerr << "ddb-es: " << e.what() << "\n";
    return e.kind() == ddb::es::es_errc::invalid_argument ||
                   e.kind() == ddb::es::es_errc::invalid_aggregate_uuid
               ? 2
               : 1;
} catch (const std::exception& e) {
    std::cerr << "ddb-es: " << e.what() << "\n";
    return 1;
}
