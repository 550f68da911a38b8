// ddb — credentials from an external command (a profile's
// credential_process): corporate credential helpers.
#pragma once

#include <ddb/core/config_error.hpp>
#include <ddb/credentials/provider.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace ddb {

/// Runs the command (through /bin/sh -c, as the AWS CLI's documented quoting
/// implies) as an asynchronous child process: no io thread blocks while it
/// runs. Its standard output must be `{"Version": 1, "AccessKeyId",
/// "SecretAccessKey", "SessionToken"?, "Expiration"?, "AccountId"?}`.
///
/// Errors from `fetch()` (`provider_failed` unless said): the command cannot
/// start; it exits non-zero (the message quotes the end of its standard
/// error, never its standard output, which holds secrets); it runs longer
/// than `timeout` (it is killed); its output is not that JSON or larger than
/// `max_output` (`malformed`, naming what is wrong, never a value).
///
/// The command inherits the environment and working directory, reads
/// /dev/null, and runs in a process group of its own: a timeout, too large
/// an output or a cancelled fetch kills the whole group (what the shell
/// started too) and reaps the command. A cancelled fetch ends with
/// `boost::system::system_error(operation_aborted)`.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class process_provider final : public credentials_provider {
public:
    struct options {
        std::chrono::milliseconds timeout{30000}; ///< > 0
        std::size_t max_output = 64 * 1024;       ///< bytes of stdout (and of stderr kept)
    };
    /// `profile_name` names the source in messages ("credential_process of
    /// profile 'dev'"). Throws `config_error(invalid_setting)` for an empty
    /// command or bad options.
    process_provider(std::string command, std::string profile_name, options opts);
    process_provider(std::string command, std::string profile_name);

    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override; ///< "credential_process (profile 'dev')"

private:
    std::string command_;
    std::string profile_name_;
    options opts_;
};

} // namespace ddb
