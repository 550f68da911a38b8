//
// bench_client — GetItem or PutItem through ddb::client::call against a
// server answering with canned DynamoDB bodies (nginx, bench/canned). Only
// ddb is measured here; its peers (wrk, the AWS JS SDK in bench/js/getitem.mjs)
// hit the same endpoint in the same run, driven by bench/run.py.
//
//   bench_client [--endpoint URL] [--op getitem|putitem] [--concurrency 1,16,..]
//                [--seconds S] [--threads 1,2,..] [--rounds R]
//   bench_client --endpoint URL --op OP --wrk-lua FILE
//
// Without --endpoint it starts its own nginx (for profiling ddb alone).
// --threads T runs the io_context on T threads (the same client, the same
// workers): the multi-threaded scaling figure. With a list (--threads 1,2)
// each concurrency is measured with each thread count in the same process,
// R rounds (--rounds) with the order reversed every other round: the CPU per
// call of 1 and 2 io threads side by side. Each measurement has a client and
// an io_context of its own (concurrency hint = its thread count).
// --wrk-lua writes a wrk script sending the exact request ddb sends (signed
// the same way) whose done() prints a JSON line like the one below.
//
// One JSON line per concurrency:
//   {"bench":"client","impl":"ddb","op":"getitem","concurrency":16,"threads":1,
//    "round":0,"calls":..,"seconds":..,"rps":..,"p50_us":..,"p90_us":..,"p99_us":..,
//    "p999_us":..,"cpu_s":..,"cpu_us_per_call":..}
// CPU is getrusage(RUSAGE_SELF) user+sys over the timed phase (all threads).
//
#include <ddb/client/client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/sigv4/signer.hpp>

#include <boost/asio.hpp>
#include <boost/crc.hpp>
#include <boost/json.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

extern char** environ;

namespace {

const std::string source_dir = DDB_SOURCE_DIR;
const ddb::credentials bench_creds{"AKIDBENCH", "bench-secret", "", {}, "bench", {}};

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

std::uint32_t crc32_of(const std::string& s) {
    boost::crc_32_type c;
    c.process_bytes(s.data(), s.size());
    return c.checksum();
}

std::uint16_t free_port() {
    asio::io_context ioc;
    asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

// nginx with the canned answers on a free loopback port, stopped by PID: only
// when no --endpoint is given (bench/run.py starts one nginx for all clients).
struct canned_server {
    fs::path dir;
    pid_t pid = -1;
    std::uint16_t port = 0;

    canned_server() {
        dir = fs::temp_directory_path() / ("ddb-bench-nginx-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        port = free_port();
        std::string body = trim(read(fs::path(source_dir) / "bench/canned/getitem.json"));
        std::string conf = read(fs::path(source_dir) / "bench/canned/nginx.conf.in");
        conf = replace_all(conf, "@DIR@", dir.string());
        conf = replace_all(conf, "@PORT@", std::to_string(port));
        conf = replace_all(conf, "@GETITEM_CRC@", std::to_string(crc32_of(body)));
        conf = replace_all(conf, "@EMPTY_CRC@", std::to_string(crc32_of("{}")));
        conf = replace_all(conf, "@GETITEM_BODY@",
                           replace_all(replace_all(body, "\\", "\\\\"), "'", "\\'"));
        std::ofstream(dir / "nginx.conf") << conf;
        std::string prefix = dir.string(), config = (dir / "nginx.conf").string();
        const char* argv[] = {"nginx", "-p", prefix.c_str(), "-c", config.c_str(), nullptr};
        if (posix_spawnp(&pid, "nginx", nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
            throw std::runtime_error("cannot start nginx");
        for (int i = 0; i < 100; ++i) {
            asio::io_context ioc;
            asio::ip::tcp::socket s(ioc);
            boost::system::error_code ec;
            s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
            if (!ec)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        throw std::runtime_error("nginx did not start; see " + (dir / "error.log").string());
    }
    ~canned_server() {
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
        }
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// The operation benchmarked: its name, its request (bench/canned/<op>-request.json,
// the same file the JS peer sends) and a check of the answer.
struct bench_op {
    std::string key;       // getitem, putitem
    std::string operation; // GetItem, PutItem
    json::value request;

    static bench_op named(const std::string& key) {
        bench_op op;
        op.key = key;
        if (key == "getitem")
            op.operation = "GetItem";
        else if (key == "putitem")
            op.operation = "PutItem";
        else
            throw std::runtime_error("unknown --op " + key + " (getitem or putitem)");
        op.request =
            json::parse(read(fs::path(source_dir) / "bench/canned" / (key + "-request.json")));
        return op;
    }
    bool answer_ok(const json::value& v) const {
        return operation == "GetItem" ? v.as_object().contains("Item") : v.is_object();
    }
};

// A wrk script sending ddb's request; done() prints a JSON line.
void write_wrk_lua(const bench_op& op, const std::string& endpoint, const fs::path& out) {
    std::string body = json::serialize(op.request);
    std::string host = endpoint.substr(endpoint.find("://") + 3);
    while (!host.empty() && host.back() == '/')
        host.pop_back();
    std::string target = "DynamoDB_20120810." + op.operation;
    ddb::sigv4::header hs[] = {
        {"host", host}, {"content-type", "application/x-amz-json-1.0"}, {"x-amz-target", target}};
    ddb::sigv4::request r;
    r.headers = hs;
    r.payload = body;
    auto s = ddb::sigv4::sign(
        r, {bench_creds, "us-east-1", "dynamodb", std::chrono::system_clock::now()});
    auto q = [](const std::string& v) {
        return "\"" + replace_all(replace_all(v, "\\", "\\\\"), "\"", "\\\"") + "\"";
    };
    std::ofstream lua(out);
    lua << "wrk.method = \"POST\"\nwrk.body = " << q(body) << "\n"
        << "wrk.headers[\"Content-Type\"] = \"application/x-amz-json-1.0\"\n"
        << "wrk.headers[\"X-Amz-Target\"] = " << q(target) << "\n"
        << "wrk.headers[\"User-Agent\"] = \"ddb/0.1.0 cpp20 boost-beast\"\n"
        << "wrk.headers[\"X-Amz-Date\"] = " << q(s.amz_date) << "\n"
        << "wrk.headers[\"Authorization\"] = " << q(s.authorization) << "\n"
        << R"lua(
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"impl":"wrk","calls":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"p999_us":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), e.status, e.connect + e.read + e.write + e.timeout))
end
)lua";
    if (!lua)
        throw std::runtime_error("cannot write " + out.string());
}

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

// Spawns `workers` coroutines made by make(i) and runs the io_context on
// `threads` threads until all of them finished (not until it runs out of
// work: the pool's idle timers must not count). Rethrows the first error.
template <class Make>
void drive(asio::io_context& ioc, int threads, int workers, Make make) {
    ioc.restart();
    std::atomic<int> left = workers;
    std::mutex m;
    std::exception_ptr first;
    for (int i = 0; i < workers; ++i)
        asio::co_spawn(ioc, make(i), [&](std::exception_ptr e) {
            if (e) {
                std::lock_guard lock(m);
                if (!first)
                    first = e;
            }
            if (--left == 0)
                ioc.stop();
        });
    std::vector<std::thread> more;
    for (int t = 1; t < threads; ++t)
        more.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : more)
        t.join();
    if (first)
        std::rethrow_exception(first);
}

struct worker_stats {
    std::vector<double> latencies_us;
    std::size_t failures = 0;
    steady::time_point last_done{};
};

void run_ddb(ddb::client& c, asio::io_context& ioc, int threads, const bench_op& op,
             int concurrency, double seconds, int round) {
    // Warm-up: one connection per worker, code paths and caches.
    const int warm_calls = std::max(20, 2000 / concurrency);
    drive(ioc, threads, concurrency, [&](int) -> asio::awaitable<void> {
        for (int k = 0; k < warm_calls; ++k) {
            auto v = co_await c.call(op.operation, op.request);
            if (!op.answer_ok(v))
                throw std::runtime_error("unexpected answer " + json::serialize(v));
        }
    });

    std::vector<worker_stats> stats(static_cast<std::size_t>(concurrency));
    for (auto& s : stats)
        s.latencies_us.reserve(1 << 16);
    const auto start = steady::now();
    const auto end = start + std::chrono::duration_cast<steady::duration>(
                                 std::chrono::duration<double>(seconds));
    const double cpu0 = cpu_seconds();
    drive(ioc, threads, concurrency, [&](int i) -> asio::awaitable<void> {
        worker_stats& s = stats[static_cast<std::size_t>(i)];
        while (steady::now() < end) {
            auto t0 = steady::now();
            auto v = co_await c.call(op.operation, op.request);
            auto t1 = steady::now();
            if (!op.answer_ok(v))
                ++s.failures;
            s.latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
            s.last_done = t1;
        }
    });
    const double cpu = cpu_seconds() - cpu0;

    std::vector<double> all;
    steady::time_point last = start;
    std::size_t failures = 0;
    for (auto& s : stats) {
        all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
        last = std::max(last, s.last_done);
        failures += s.failures;
    }
    if (failures || all.empty())
        throw std::runtime_error("ddb: " + std::to_string(failures) + " unexpected answers");
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
        return all[std::min(all.size() - 1, static_cast<std::size_t>(double(all.size()) * p))];
    };
    const double elapsed = std::chrono::duration<double>(last - start).count();
    std::printf(
        "{\"bench\":\"client\",\"impl\":\"ddb\",\"op\":\"%s\",\"concurrency\":%d,"
        "\"threads\":%d,\"round\":%d,\"calls\":%zu,\"seconds\":%.3f,\"rps\":%.1f,\"p50_us\":%.1f,"
        "\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"cpu_s\":%.4f,"
        "\"cpu_us_per_call\":%.2f}\n",
        op.key.c_str(), concurrency, threads, round, all.size(), elapsed,
        double(all.size()) / elapsed, pct(0.5), pct(0.9), pct(0.99), pct(0.999), cpu,
        cpu * 1e6 / double(all.size()));
    std::fflush(stdout);
}

std::vector<int> parse_list(const std::string& s) {
    std::vector<int> out;
    std::istringstream in(s);
    std::string part;
    while (std::getline(in, part, ','))
        out.push_back(std::stoi(part));
    return out;
}

} // namespace

int main(int argc, char** argv) try {
    std::string endpoint, op_key = "getitem", wrk_lua;
    std::vector<int> concurrencies{1, 16}, thread_counts{1};
    double seconds = 3;
    int rounds = 1;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc)
            throw std::runtime_error("missing value after " + a);
        std::string v = argv[++i];
        if (a == "--endpoint")
            endpoint = v;
        else if (a == "--op")
            op_key = v;
        else if (a == "--concurrency")
            concurrencies = parse_list(v);
        else if (a == "--seconds")
            seconds = std::stod(v);
        else if (a == "--threads")
            thread_counts = parse_list(v);
        else if (a == "--rounds")
            rounds = std::stoi(v);
        else if (a == "--wrk-lua")
            wrk_lua = v;
        else if (a == "--only") // accepted for old command lines: ddb is always alone now
            continue;
        else
            throw std::runtime_error("unknown option " + a);
    }
    const bench_op op = bench_op::named(op_key);
    std::optional<canned_server> own;
    if (endpoint.empty()) {
        own.emplace();
        endpoint = own->url();
    }
    if (!wrk_lua.empty()) {
        write_wrk_lua(op, endpoint, wrk_lua);
        return 0;
    }
    ddb::client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = endpoint;
    cfg.credentials = std::make_shared<ddb::static_provider>(bench_creds);
    ddb::retry_config retry;
    retry.max_attempts = 1;
    cfg.retry = retry;
    for (int concurrency : concurrencies)
        for (int round = 0; round < rounds; ++round) {
            auto order = thread_counts;
            if (round % 2 == 1)
                std::reverse(order.begin(), order.end());
            for (int threads : order) {
                asio::io_context ioc(threads);
                ddb::client c(ioc.get_executor(), cfg);
                run_ddb(c, ioc, threads, op, concurrency, seconds, round);
            }
        }
} catch (const std::exception& e) {
    std::cerr << "bench_client: " << e.what() << "\n";
    return 1;
}
