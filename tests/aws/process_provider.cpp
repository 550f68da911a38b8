// Test that header file is self-contained.
#include <ddb/aws/process_provider.hpp>

#include "../support/run.hpp"
#include "../support/source_dir.hpp"
#include "../support/temp_dir.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace ddb;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// `sh '<tests/data/credential_process/helper.sh>' <args>`.
std::string helper(const std::string& args) {
    return "sh '" + ddb_test::source_dir() + "/tests/data/credential_process/helper.sh' " + args;
}

credentials_error fetch_error(process_provider& p) {
    try {
        test::run([&] { return p.fetch(); });
    } catch (const credentials_error& e) {
        std::string what = e.what();
        INFO(what);
        CHECK(what.find("SECRET-ON-STDOUT") == std::string::npos);
        CHECK(what.find("AKIDLEAK") == std::string::npos);
        return e;
    }
    FAIL("fetch() did not throw");
    throw std::logic_error("unreachable");
}

std::size_t open_fds() {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                      std::filesystem::directory_iterator()));
}

/// True when this process has a child that exited and was not reaped.
bool zombie_child() {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == -1)
        return false; // ECHILD: no children at all
    return info.si_pid != 0;
}

/// True when `pid` is gone (or a zombie waiting for init to reap it).
bool gone(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return true;
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

process_provider::options quick(std::chrono::milliseconds timeout = 10s) {
    process_provider::options o;
    o.timeout = timeout;
    return o;
}

} // namespace

TEST_CASE("process provider: credentials with token, expiration and account", "[process]") {
    process_provider p(helper("full"), "dev");
    CHECK(p.name() == "credential_process (profile 'dev')");
    auto c = test::run([&] { return p.fetch(); });
    CHECK(c.access_key_id == "AKIDPROCESS");
    CHECK(c.secret_access_key == "process-secret");
    CHECK(c.session_token == "process-token");
    CHECK(c.account_id == "210987654321");
    CHECK(c.source == "credential_process (profile 'dev')");
    REQUIRE(c.expiration);
    using namespace std::chrono;
    CHECK(*c.expiration == sys_days{2099y / January / 2} + 3h + 4min + 5s);
}

TEST_CASE("process provider: long-term keys without token or expiration", "[process]") {
    process_provider p(helper("long-term"), "dev");
    auto c = test::run([&] { return p.fetch(); });
    CHECK(c.access_key_id == "AKIDLONGTERM");
    CHECK(c.secret_access_key == "long-term-secret");
    CHECK(c.session_token.empty());
    CHECK(c.account_id.empty());
    CHECK_FALSE(c.expiration);
}

TEST_CASE("process provider: a failing command's stderr is quoted, never its stdout", "[process]") {
    process_provider p(helper("fail"), "dev");
    auto e = fetch_error(p);
    CHECK(e.code() == credentials_errc::provider_failed);
    std::string what = e.what();
    CHECK(what.find("credential_process (profile 'dev')") != std::string::npos);
    CHECK(what.find("exited with code 1") != std::string::npos);
    CHECK(what.find("helper: the session has expired, log in again") != std::string::npos);

    // Only the end of a long stderr is quoted.
    process_provider noisy(helper("noisy-fail"), "dev");
    auto n = fetch_error(noisy);
    std::string nwhat = n.what();
    CHECK(nwhat.find("exited with code 2") != std::string::npos);
    CHECK(nwhat.find("the real reason") != std::string::npos);
    CHECK(nwhat.find("noise line 0\n") == std::string::npos);
    CHECK(nwhat.size() < 1400);

    // A command that does not exist: the shell says so on stderr.
    process_provider missing("/nonexistent/credential-helper", "dev");
    auto m = fetch_error(missing);
    CHECK(m.code() == credentials_errc::provider_failed);
    CHECK(std::string(m.what()).find("exited with code 127") != std::string::npos);
    CHECK(std::string(m.what()).find("/nonexistent/credential-helper") != std::string::npos);
}

TEST_CASE("process provider: output that is not the credentials JSON is malformed", "[process]") {
    auto [mode, says] = GENERATE(table<std::string, std::string>({
        {"not-json", "is not a JSON object"},
        {"version-2", "Version other than 1"},
        {"no-secret", "lacks SecretAccessKey"},
        {"bad-expiration", "Expiration that is not an ISO 8601"},
    }));
    process_provider p(helper(mode), "dev");
    auto e = fetch_error(p);
    CHECK(e.code() == credentials_errc::malformed);
    INFO(e.what());
    CHECK(std::string(e.what()).find(says) != std::string::npos);
}

TEST_CASE("process provider: huge output is bounded and the command killed", "[process]") {
    process_provider::options o = quick();
    o.max_output = 64 * 1024;
    process_provider p(helper("flood"), "dev", o);
    auto started = steady::now();
    auto e = fetch_error(p);
    CHECK(e.code() == credentials_errc::malformed);
    CHECK(std::string(e.what()).find("larger than 65536 bytes") != std::string::npos);
    CHECK(steady::now() - started < 5s);
    CHECK_FALSE(zombie_child());
}

TEST_CASE("process provider: a command past its timeout is killed, the io thread stays free",
          "[process]") {
    test::temp_dir dir;
    auto pid_file = (dir.path() / "sleep.pid").string();
    SECTION("sleep 30") {
        process_provider p("sleep 30", "dev", quick(500ms));
        asio::io_context ioc;
        asio::steady_timer tick(ioc, 100ms);
        std::optional<steady::time_point> ticked;
        tick.async_wait([&](boost::system::error_code) { ticked = steady::now(); });
        auto started = steady::now();
        std::optional<credentials_errc> code;
        try {
            test::run(ioc, [&] { return p.fetch(); });
        } catch (const credentials_error& e) {
            code = static_cast<credentials_errc>(e.code().value());
            CHECK(std::string(e.what()).find("longer than 500 ms") != std::string::npos);
        }
        auto took = steady::now() - started;
        CHECK(code == credentials_errc::provider_failed);
        CHECK(took >= 450ms);
        CHECK(took < 5s);
        REQUIRE(ticked);
        CHECK(*ticked - started < 400ms); // the timer fired while the command ran
    }
    SECTION("what the shell started dies with it") {
        process_provider p(helper("hang '" + pid_file + "'"), "dev", quick(700ms));
        CHECK(fetch_error(p).code() == credentials_errc::provider_failed);
        std::ifstream in(pid_file);
        pid_t sleeper = 0;
        REQUIRE(in >> sleeper);
        auto deadline = steady::now() + 3s;
        while (!gone(sleeper) && steady::now() < deadline)
            std::this_thread::sleep_for(20ms);
        CHECK(gone(sleeper));
    }
    CHECK_FALSE(zombie_child());
}

TEST_CASE("process provider: a cancelled fetch kills and reaps the command", "[process]") {
    test::temp_dir dir;
    auto pid_file = (dir.path() / "sleep.pid").string();
    process_provider p(helper("hang '" + pid_file + "'"), "dev", quick(30s));
    asio::io_context ioc;
    asio::cancellation_signal cancel;
    std::exception_ptr result;
    bool done = false;
    asio::co_spawn(
        ioc, p.fetch(),
        asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, credentials) {
            result = e;
            done = true;
        }));
    asio::steady_timer later(ioc, 300ms);
    later.async_wait(
        [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
    auto started = steady::now();
    ioc.run();
    CHECK(done);
    REQUIRE(result);
    try {
        std::rethrow_exception(result);
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == asio::error::operation_aborted);
    }
    CHECK(steady::now() - started < 5s);
    CHECK_FALSE(zombie_child());
    pid_t sleeper = 0;
    std::ifstream in(pid_file);
    REQUIRE(in >> sleeper);
    auto deadline = steady::now() + 3s;
    while (!gone(sleeper) && steady::now() < deadline)
        std::this_thread::sleep_for(20ms);
    CHECK(gone(sleeper));
}

TEST_CASE("process provider: concurrent fetches run side by side", "[process]") {
    process_provider::options o = quick();
    std::vector<std::shared_ptr<process_provider>> providers;
    for (int i = 0; i < 6; ++i)
        providers.push_back(
            std::make_shared<process_provider>(helper("slow 1 " + std::to_string(i)), "dev", o));
    auto run_all = [&](int threads) {
        asio::io_context ioc;
        std::vector<std::string> keys(providers.size());
        for (std::size_t i = 0; i < providers.size(); ++i)
            asio::co_spawn(
                ioc,
                [&, i]() -> asio::awaitable<void> {
                    auto c = co_await providers[i]->fetch();
                    keys[i] = c.access_key_id;
                },
                asio::detached);
        auto started = steady::now();
        std::vector<std::thread> extra;
        for (int t = 1; t < threads; ++t)
            extra.emplace_back([&] { ioc.run(); });
        ioc.run();
        for (auto& t : extra)
            t.join();
        auto took = steady::now() - started;
        for (std::size_t i = 0; i < keys.size(); ++i)
            CHECK(keys[i] == "AKIDSLOW" + std::to_string(i));
        CHECK(took < 4s); // one after the other would take 6 s
    };
    SECTION("one io thread") {
        run_all(1);
    }
    SECTION("two io threads") {
        run_all(2);
    }
    CHECK_FALSE(zombie_child());
}

TEST_CASE("process provider: no descriptor or zombie is left behind", "[process]") {
    // Warm up (lazily opened descriptors of the runtime), then count.
    process_provider ok(helper("full"), "dev");
    test::run([&] { return ok.fetch(); });
    auto before = open_fds();
    process_provider failing(helper("fail"), "dev");
    process_provider flood(helper("flood"), "dev", quick());
    process_provider slow("sleep 30", "dev", quick(200ms));
    for (int i = 0; i < 3; ++i) {
        test::run([&] { return ok.fetch(); });
        CHECK_THROWS_AS(test::run([&] { return failing.fetch(); }), credentials_error);
        CHECK_THROWS_AS(test::run([&] { return flood.fetch(); }), credentials_error);
        CHECK_THROWS_AS(test::run([&] { return slow.fetch(); }), credentials_error);
    }
    CHECK(open_fds() == before);
    CHECK_FALSE(zombie_child());
}

TEST_CASE("process provider: settings are checked when it is built", "[process]") {
    auto refused = [](std::string command, process_provider::options o) {
        try {
            process_provider p(std::move(command), "dev", o);
        } catch (const config_error& e) {
            return e.code() == config_errc::invalid_setting;
        }
        return false;
    };
    CHECK(refused("", quick()));
    CHECK(refused(std::string("a\0b", 3), quick()));
    CHECK(refused("true", quick(0ms)));
    auto o = quick();
    o.max_output = 0;
    CHECK(refused("true", o));
    CHECK_FALSE(refused("true", quick()));
}
