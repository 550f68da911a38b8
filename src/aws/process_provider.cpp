#include <ddb/aws/process_provider.hpp>

#include <ddb/core/config_error.hpp>
#include <ddb/credentials/error.hpp>

#include "detail/metadata_http.hpp"
#include "detail/process_v2.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <exception>
#include <memory>
#include <variant>

namespace ddb {

namespace {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
namespace json = boost::json;
using namespace boost::asio::experimental::awaitable_operators;

/// How much of the command's standard error a message quotes (its end).
constexpr std::size_t quoted_stderr = 1024;

/// Puts the child in a process group of its own (in the child, before
/// exec), so that a timeout kills what the shell started too.
struct own_process_group {
    template <class Launcher>
    bp::error_code on_exec_setup(Launcher&, const std::filesystem::path&, const char* const*&) {
        if (::setpgid(0, 0) == -1)
            return bp::error_code(errno, bp::system_category());
        return {};
    }
};

/// The child, until it is reaped: on any path that leaves it unreaped
/// (cancellation, an exception) its process group is killed and it is
/// reaped here, so no zombie is left. After SIGKILL the wait is short.
class child_guard {
public:
    explicit child_guard(pid_t pid)
        : pid_(pid) {}
    child_guard(const child_guard&) = delete;
    child_guard& operator=(const child_guard&) = delete;
    ~child_guard() {
        if (pid_ <= 0)
            return;
        kill_group();
        while (::waitpid(pid_, nullptr, 0) == -1 && errno == EINTR) {
        }
    }
    pid_t pid() const { return pid_; }
    void kill_group() const {
        if (::kill(-pid_, SIGKILL) == -1)
            ::kill(pid_, SIGKILL);
    }
    void reaped() { pid_ = -1; }

private:
    pid_t pid_;
};

/// Starts `/bin/sh -c command` with stdin on /dev/null and stdout and stderr
/// on `out` and `err`. Launched through a private io_context: Boost.Process
/// (1.81) calls notify_fork on the launching executor's context in the
/// forked child, which takes that context's locks; the caller's context may
/// have them held by another io thread at the moment of fork.
pid_t launch(const std::string& command, asio::readable_pipe& out, asio::readable_pipe& err,
             const std::string& who) {
    asio::io_context launch_context;
    bp::error_code ec;
    std::vector<std::string> args{"-c", command};
    auto proc =
        bp::default_process_launcher()(launch_context.get_executor(), ec, "/bin/sh", args,
                                       bp::process_stdio{nullptr, out, err}, own_process_group{});
    if (ec)
        throw credentials_error(credentials_errc::provider_failed,
                                who + ": cannot start /bin/sh: " + ec.message());
    pid_t pid = proc.id();
    proc.detach(); // its handle closes with launch_context; the guard reaps the child
    return pid;
}

/// Reads stdout to its end. More than `limit` bytes: stops, kills the
/// command (so that stderr ends too) and returns true. (Nothing here throws:
/// asio's `||` waits for a branch that succeeds.)
asio::awaitable<bool> read_stdout(asio::readable_pipe& pipe, std::string& into, std::size_t limit,
                                  const child_guard& child) {
    char buf[4096];
    for (;;) {
        auto [ec, n] =
            co_await pipe.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        into.append(buf, n);
        if (into.size() > limit) {
            child.kill_group();
            co_return true;
        }
        if (ec)
            co_return false; // end of file (or the pipe failed: the output is judged as it is)
    }
}

/// Reads stderr to its end, keeping its last `limit` bytes.
asio::awaitable<void> read_stderr(asio::readable_pipe& pipe, std::string& into, std::size_t limit) {
    char buf[4096];
    for (;;) {
        auto [ec, n] =
            co_await pipe.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        into.append(buf, n);
        if (into.size() > limit)
            into.erase(0, into.size() - limit);
        if (ec)
            co_return;
    }
}

struct pipes {
    asio::readable_pipe out, err;
    std::string out_text, err_text;
};

/// How the command ended.
struct outcome {
    bool overflow = false;     ///< stdout exceeded the limit (and the command was killed)
    bp::error_code wait_error; ///< the exit status could not be had
    int status = 0;            ///< native, as from waitpid
};

/// Both outputs to their end, then the exit status.
asio::awaitable<outcome> collect(pipes& io, bp::basic_process_handle<asio::any_io_executor>& child,
                                 const child_guard& guard, std::size_t limit) {
    outcome o;
    auto out = read_stdout(io.out, io.out_text, limit, guard);
    auto err = read_stderr(io.err, io.err_text, limit);
    o.overflow = co_await (std::move(out) && std::move(err));
    auto [ec, status] = co_await child.async_wait(asio::as_tuple(asio::use_awaitable));
    o.wait_error = ec;
    o.status = status;
    co_return o;
}

/// "; its standard error ends with: ..." quoting the last KiB, control
/// characters other than newline and tab replaced.
std::string stderr_quote(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
    if (text.empty())
        return "; it wrote nothing to standard error";
    if (text.size() > quoted_stderr)
        text.erase(0, text.size() - quoted_stderr);
    for (auto& c : text)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
            c = '?';
    return "; its standard error ends with: " + text;
}

credentials parse_output(std::string_view text, const std::string& who) {
    auto bad = [&](const std::string& why) {
        return credentials_error(credentials_errc::malformed, who + ": its output " + why);
    };
    json::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        throw bad("is not a JSON object");
    const auto& o = v.as_object();
    auto* version = o.if_contains("Version");
    if (!version)
        throw bad("lacks Version (must be 1)");
    if (!(version->is_int64() && version->as_int64() == 1) &&
        !(version->is_uint64() && version->as_uint64() == 1))
        throw bad("has a Version other than 1 (the only one defined)");
    auto text_of = [&](std::string_view key) -> std::string {
        auto* f = o.if_contains(key);
        if (!f || f->is_null())
            return {};
        if (!f->is_string())
            throw bad("has a " + std::string(key) + " that is not a string");
        return std::string(f->as_string());
    };
    credentials c;
    c.access_key_id = text_of("AccessKeyId");
    c.secret_access_key = text_of("SecretAccessKey");
    c.session_token = text_of("SessionToken");
    c.account_id = text_of("AccountId");
    c.source = who;
    if (c.access_key_id.empty())
        throw bad("lacks AccessKeyId");
    if (c.secret_access_key.empty())
        throw bad("lacks SecretAccessKey");
    if (auto exp = text_of("Expiration"); !exp.empty()) {
        c.expiration = detail::parse_iso8601(exp);
        if (!c.expiration)
            throw bad("has an Expiration that is not an ISO 8601 UTC time");
    }
    return c;
}

credentials judge(int status, const pipes& io, const std::string& who) {
    if (WIFSIGNALED(status))
        throw credentials_error(credentials_errc::provider_failed,
                                who + ": the command was killed by signal " +
                                    std::to_string(WTERMSIG(status)) + stderr_quote(io.err_text));
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code != 0)
        throw credentials_error(credentials_errc::provider_failed,
                                who + ": the command exited with code " + std::to_string(code) +
                                    stderr_quote(io.err_text));
    return parse_output(io.out_text, who);
}

/// The whole fetch, on copies (the provider may go away meanwhile).
asio::awaitable<credentials> run_process(std::string command, std::string who,
                                         process_provider::options opts) {
    auto ex = co_await asio::this_coro::executor;
    pipes io{asio::readable_pipe(ex), asio::readable_pipe(ex), {}, {}};
    child_guard guard(launch(command, io.out, io.err, who));
    // On the heap: in the coroutine frame, GCC 12 -O2 reports a false
    // -Wmismatched-new-delete for the frame.
    auto handle =
        std::make_unique<bp::basic_process_handle<asio::any_io_executor>>(ex, guard.pid());
    auto& child = *handle;
    asio::steady_timer timer(ex, opts.timeout);
    std::exception_ptr failure; // only when the fetch itself is cancelled
    std::optional<outcome> done;
    try {
        auto work = collect(io, child, guard, opts.max_output);
        auto expiry = timer.async_wait(asio::use_awaitable);
        auto first = co_await (std::move(work) || std::move(expiry));
        if (first.index() == 0)
            done = std::get<0>(first);
    } catch (...) {
        failure = std::current_exception();
    }
    if (done && !done->wait_error) {
        guard.reaped();
        if (done->overflow)
            throw credentials_error(credentials_errc::malformed,
                                    who + ": its standard output is larger than " +
                                        std::to_string(opts.max_output) + " bytes");
        co_return judge(done->status, io, who);
    }
    // Timed out, cancelled or not waitable: kill what the command started and
    // reap it (after a cancellation too: the state is reset for that wait).
    guard.kill_group();
    io.out.close();
    io.err.close();
    if (failure)
        co_await asio::this_coro::reset_cancellation_state();
    auto [ec, ignored] = co_await child.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ignored;
    if (!ec)
        guard.reaped();
    if (failure)
        throw boost::system::system_error(asio::error::operation_aborted);
    if (done)
        throw credentials_error(credentials_errc::provider_failed,
                                who +
                                    ": cannot wait for the command: " + done->wait_error.message());
    throw credentials_error(credentials_errc::provider_failed,
                            who + ": the command ran longer than " +
                                std::to_string(opts.timeout.count()) + " ms and was killed" +
                                stderr_quote(io.err_text));
}

std::string source_name(const std::string& profile_name) {
    return profile_name.empty() ? std::string("credential_process")
                                : "credential_process (profile '" + profile_name + "')";
}

} // namespace

process_provider::process_provider(std::string command, std::string profile_name, options opts)
    : command_(std::move(command))
    , profile_name_(std::move(profile_name))
    , opts_(opts) {
    if (command_.empty())
        throw config_error(config_errc::invalid_setting,
                           source_name(profile_name_) + ": the command is empty");
    if (command_.find('\0') != std::string::npos)
        throw config_error(config_errc::invalid_setting,
                           source_name(profile_name_) + ": the command contains a NUL byte");
    if (opts_.timeout <= std::chrono::milliseconds::zero())
        throw config_error(config_errc::invalid_setting,
                           "process_provider::options::timeout must be > 0, got " +
                               std::to_string(opts_.timeout.count()) + " ms");
    if (opts_.max_output == 0)
        throw config_error(config_errc::invalid_setting,
                           "process_provider::options::max_output must be > 0");
}

process_provider::process_provider(std::string command, std::string profile_name)
    : process_provider(std::move(command), std::move(profile_name), options{}) {}

boost::asio::awaitable<credentials> process_provider::fetch() {
    return run_process(command_, source_name(profile_name_), opts_);
}

std::string process_provider::name() const {
    return source_name(profile_name_);
}

} // namespace ddb
