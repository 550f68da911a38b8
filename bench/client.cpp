//
// bench_client — GetItem through ddb::client::call against nginx serving a
// canned DynamoDB answer (bench/canned), next to its peers measured in the
// same run on the same endpoint:
//   wrk   — the HTTP ceiling, sending the same request bytes;
//   the AWS JS SDK v3 (@aws-sdk/client-dynamodb, pinned in package.json).
// One JSON line per concurrency (1 and 16 calls in flight, one io thread):
//   {"bench":"getitem_c16","ddb_rps":..,"wrk_rps":..,"js_rps":..,
//    "ratio_wrk":..,"ratio_js":..,"p50_us":..,"p99_us":..}
// Targets: c16 ddb >= 0.5 x wrk and >= 40 x JS; c1 ddb >= 0.75 x wrk.
//
//   bench_client [--seconds S] [--only ddb]
//
#include <ddb/client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/sigv4/signer.hpp>

#include <boost/asio.hpp>
#include <boost/crc.hpp>
#include <boost/json.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

extern char** environ;

namespace {

const std::string source_dir = DDB_SOURCE_DIR;
const ddb::credentials bench_creds{"AKIDBENCH", "bench-secret", "", {}, "bench"};
const json::value get_item_request = {
    {"TableName", "stored_events"},
    {"Key", {{"aggregate_uuid", {{"S", "6f1c2a9e"}}}, {"id", {{"N", "1"}}}}}};

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
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

std::string run_capture(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        throw std::runtime_error("cannot run " + cmd);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    if (::pclose(p) != 0)
        throw std::runtime_error("failed: " + cmd + "\n" + out);
    return out;
}

// nginx with the canned answers, on a free loopback port; stopped by PID.
struct canned_server {
    fs::path dir;
    pid_t pid = -1;
    std::uint16_t port = 0;

    canned_server() {
        dir = fs::temp_directory_path() / ("ddb-bench-nginx-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        port = free_port();
        std::string body = read(fs::path(source_dir) / "bench/canned/getitem.json");
        while (!body.empty() && (body.back() == '\n' || body.back() == '\r'))
            body.pop_back();
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

struct result {
    double rps = 0, p50_us = 0, p99_us = 0;
};

double to_us(const std::string& v) {
    double x = std::stod(v);
    if (v.ends_with("us"))
        return x;
    if (v.ends_with("ms"))
        return x * 1000;
    if (v.ends_with("s"))
        return x * 1e6;
    return x;
}

// wrk with the exact request ddb sends (headers signed the same way).
result run_wrk(const canned_server& srv, int connections, int seconds) {
    std::string body = json::serialize(get_item_request);
    std::string host = "127.0.0.1:" + std::to_string(srv.port);
    ddb::sigv4::header hs[] = {{"host", host},
                               {"content-type", "application/x-amz-json-1.0"},
                               {"x-amz-target", "DynamoDB_20120810.GetItem"}};
    ddb::sigv4::request r;
    r.headers = hs;
    r.payload = body;
    auto s = ddb::sigv4::sign(
        r, {bench_creds, "us-east-1", "dynamodb", std::chrono::system_clock::now()});
    std::ostringstream lua;
    auto q = [](const std::string& v) {
        return "\"" + replace_all(replace_all(v, "\\", "\\\\"), "\"", "\\\"") + "\"";
    };
    lua << "wrk.method = \"POST\"\nwrk.body = " << q(body) << "\n"
        << "wrk.headers[\"Content-Type\"] = \"application/x-amz-json-1.0\"\n"
        << "wrk.headers[\"X-Amz-Target\"] = \"DynamoDB_20120810.GetItem\"\n"
        << "wrk.headers[\"User-Agent\"] = \"ddb/0.1.0 cpp20 boost-beast\"\n"
        << "wrk.headers[\"X-Amz-Date\"] = " << q(s.amz_date) << "\n"
        << "wrk.headers[\"Authorization\"] = " << q(s.authorization) << "\n";
    fs::path script = srv.dir / "getitem.lua";
    std::ofstream(script) << lua.str();
    std::string out =
        run_capture("wrk -t1 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) +
                    "s --latency -s " + script.string() + " " + srv.url() + "/ 2>&1");
    result res;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string a, b;
        ls >> a >> b;
        if (a == "Requests/sec:")
            res.rps = std::stod(b);
        if (a == "50%")
            res.p50_us = to_us(b);
        if (a == "99%")
            res.p99_us = to_us(b);
    }
    if (res.rps == 0)
        throw std::runtime_error("cannot read wrk output:\n" + out);
    return res;
}

result run_js(const canned_server& srv, int concurrency, int seconds) {
    std::string out =
        run_capture("node '" + source_dir + "/bench/js/getitem.mjs' " + srv.url() + " " +
                    std::to_string(concurrency) + " " + std::to_string(seconds));
    auto v = json::parse(out.substr(out.rfind('{')));
    return {v.at("rps").to_number<double>(), v.at("p50_us").to_number<double>(),
            v.at("p99_us").to_number<double>()};
}

result run_ddb(const canned_server& srv, int concurrency, int seconds) {
    asio::io_context ioc(1);
    ddb::client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = srv.url();
    cfg.credentials = std::make_shared<ddb::static_provider>(bench_creds);
    ddb::retry_config retry;
    retry.max_attempts = 1;
    cfg.retry = retry;
    ddb::client c(ioc.get_executor(), cfg);
    std::vector<double> latencies;
    latencies.reserve(2'000'000);
    steady::time_point end, last_done;
    std::size_t failures = 0;
    auto worker = [&](bool warmup) -> asio::awaitable<void> {
        int warm = 200;
        while (warmup ? warm-- > 0 : steady::now() < end) {
            auto t0 = steady::now();
            auto v = co_await c.call("GetItem", get_item_request);
            if (!v.as_object().contains("Item"))
                ++failures;
            if (!warmup)
                latencies.push_back(
                    std::chrono::duration<double, std::micro>(steady::now() - t0).count());
        }
        last_done = std::max(last_done, steady::now()); // not ioc.run()'s return: timers may linger
    };
    asio::co_spawn(ioc, worker(true), asio::detached);
    ioc.run();
    ioc.restart();
    auto start = steady::now();
    last_done = start;
    end = start + std::chrono::seconds(seconds);
    for (int i = 0; i < concurrency; ++i)
        asio::co_spawn(ioc, worker(false), asio::detached);
    ioc.run();
    double elapsed = std::chrono::duration<double>(last_done - start).count();
    if (failures)
        throw std::runtime_error("ddb: answers without Item");
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) {
        return latencies[std::min(latencies.size() - 1, std::size_t(latencies.size() * p))];
    };
    return {latencies.size() / elapsed, pct(0.5), pct(0.99)};
}

} // namespace

int main(int argc, char** argv) try {
    int seconds = 3;
    std::string only; // "ddb": measure ddb alone (for profiling)
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == "--seconds")
            seconds = std::stoi(argv[i + 1]);
        if (std::string(argv[i]) == "--only")
            only = argv[i + 1];
    }
    canned_server srv;
    if (only == "ddb") {
        for (int concurrency : {1, 16}) {
            result r = run_ddb(srv, concurrency, seconds);
            std::printf("{\"bench\":\"getitem_c%d_ddb_only\",\"ddb_rps\":%.0f,\"p50_us\":%.1f,"
                        "\"p99_us\":%.1f}\n",
                        concurrency, r.rps, r.p50_us, r.p99_us);
        }
        return 0;
    }
    for (int concurrency : {1, 16}) {
        result wrk = run_wrk(srv, concurrency, seconds);
        result ddb_r = run_ddb(srv, concurrency, seconds);
        result js = run_js(srv, concurrency, seconds);
        std::printf("{\"bench\":\"getitem_c%d\",\"ddb_rps\":%.0f,\"wrk_rps\":%.0f,\"js_rps\":%.0f,"
                    "\"ratio_wrk\":%.3f,\"ratio_js\":%.2f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
                    "\"wrk_p50_us\":%.1f,\"js_p50_us\":%.1f}\n",
                    concurrency, ddb_r.rps, wrk.rps, js.rps, ddb_r.rps / wrk.rps,
                    ddb_r.rps / js.rps, ddb_r.p50_us, ddb_r.p99_us, wrk.p50_us, js.p50_us);
        std::fflush(stdout);
    }
} catch (const std::exception& e) {
    std::cerr << "bench_client: " << e.what() << "\n";
    return 1;
}
