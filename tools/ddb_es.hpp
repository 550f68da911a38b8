// What the files of ddb-es share: the command line as parsed, the reports
// on stderr, the tool's state while a command runs, the JSON line of an
// event, and the commands defined outside ddb_es.cpp (ddb_es_follow.cpp:
// tail, checkpoints, parked). ddb_es.cpp has the tables of commands and
// options, their help, the parser and main.
#pragma once

#include "cli.hpp"

#include <ddb/client/client.hpp>
#include <ddb/es/store_config.hpp>
#include <ddb/es/stored_event.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb::es_tool {

using steady = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// Commands and the command line.

enum command_bit : unsigned {
    create_bit = 1,
    describe_bit = 2,
    count_bit = 4,
    dump_bit = 8,
    migrate_bit = 16,
    tail_bit = 32,
    checkpoints_bit = 64,
    parked_bit = 128,
    stream_bit = 256,
    all_commands = 511,
};

struct command_spec {
    std::string_view name;
    unsigned bit;
    std::string_view summary;
    std::string_view description;
    std::string_view example;
};

/// The command line, as parsed.
struct options {
    const command_spec* command = nullptr;
    enum class action { run, help, version } what = action::run;
    ddb::es::store_config config{};
    bool force = false, yes = false;
    std::int64_t from = 0;
    std::optional<std::string> uuid{};
    std::optional<int> partitions{};
    std::optional<std::string> ca_file{};
    std::optional<std::chrono::milliseconds> timeout{};
    std::optional<int> max_attempts{};
    bool progress = false, quiet = false;
    // tail
    std::optional<std::string> aggregate{};
    std::vector<std::string> classes{};
    std::optional<std::chrono::milliseconds> horizon{}, poll{};
    std::optional<std::int64_t> limit{};
    bool until_idle = false;
    bool stream_source = false; ///< --source streams
    // checkpoints and parked
    std::optional<std::string> projection{};
    std::vector<std::pair<std::int64_t, std::string>> redrive{}; ///< (id, key)
    bool redrive_all = false, json = false;
    // stream (create-tables' --stream sets config.stream)
    std::optional<ddb::stream_view_type> enable{};
    bool disable = false;
};

// ---------------------------------------------------------------------------
// Reporting on stderr.

// "2.3 s", or "40 ms" below a tenth of a second (where "0.0 s" would say nothing).
inline std::string seconds(std::chrono::microseconds d) {
    char text[32];
    const long long ms = (d.count() + 500) / 1000; // rounded first: 99.7 ms is "0.1 s"
    if (ms < 100)
        std::snprintf(text, sizeof text, "%lld ms", ms);
    else
        std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(d.count()) / 1e6);
    return text;
}

inline std::string seconds_since(steady::time_point t) {
    return seconds(std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t));
}

inline std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

/// What the tool says on stderr besides errors: `steps` (create-tables'
/// found/created lines) unless --quiet; `progress` (a periodic status line,
/// retries) on a terminal or with --progress. On a terminal the status line
/// is rewritten in place; elsewhere each status is a line of its own.
class reporter {
public:
    bool steps = true;
    bool progress = false;
    bool tty = false;
    const steady::time_point started = steady::now();
    /// The current status of a long command, "" for none.
    std::function<std::string()> status;

    void line(std::string_view text) {
        clear();
        std::string l = "ddb-es: " + std::string(text) + "\n";
        std::fwrite(l.data(), 1, l.size(), stderr);
    }
    void step(std::string_view text) {
        if (steps)
            line(text);
    }
    void note(std::string_view text) {
        if (progress)
            line(text);
    }
    void tick() {
        if (!progress || !status)
            return;
        std::string s = status();
        if (s.empty())
            return;
        if (!tty)
            return line(s);
        std::string l = "\r\033[Kddb-es: " + s;
        std::fwrite(l.data(), 1, l.size(), stderr);
        transient_ = true;
    }
    /// Removes the status line of a terminal (before other output).
    void clear() {
        if (transient_)
            std::fputs("\r\033[K", stderr);
        transient_ = false;
    }
    std::chrono::milliseconds interval() const {
        return tty ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(2000);
    }

private:
    bool transient_ = false;
};

/// Clears `reporter::status` when a command's scope ends, normally or not:
/// the status reads the command's locals. Declare it after them.
struct status_scope {
    reporter& r;
    ~status_scope() { r.status = nullptr; }
};

/// What the client's hooks saw.
struct call_log {
    /// The last call that failed, when no call has succeeded since.
    std::optional<ddb::call_metrics> last_failed;
    std::int64_t queries = 0;
};
/// The tool's state while a command runs.
struct tool {
    reporter r;
    call_log log;
    /// The settings the DynamoDB client was made with (a Streams client for
    /// `tail --source streams` is made with the same).
    ddb::client_config config{};
};

/// One line of dump's and tail's output: the event as a JSON object.
std::string json_line(const ddb::es::stored_event& e);

// ---------------------------------------------------------------------------
// Commands of ddb_es_follow.cpp. Each returns the exit status.

boost::asio::awaitable<int> tail(ddb::client& c, const options& o, tool& t);
boost::asio::awaitable<int> checkpoints(ddb::client& c, const options& o, tool& t);
boost::asio::awaitable<int> parked(ddb::client& c, const options& o, tool& t);

} // namespace ddb::es_tool
