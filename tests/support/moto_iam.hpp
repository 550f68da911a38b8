// ddb tests — a moto of a test's own with IAM authentication on: it admits
// `free_calls` unauthenticated calls (INITIAL_NO_AUTH_ACTION_COUNT), which a
// setup script in tests/support spends creating users, keys and roles; from
// then on it checks every request's SigV4 signature and the IAM policies.
#pragma once

#include "env.hpp"
#include "source_dir.hpp"
#include "temp_dir.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ddb::test {

class moto_with_iam {
public:
    /// Starts the server, runs `python3 tests/support/<script> <url>` and
    /// keeps the words of the first line it prints.
    moto_with_iam(int free_calls, const std::string& script) {
        state_ = dir_.path().string() + "/moto-iam.state";
        {
            env_guard env;
            env.set("INITIAL_NO_AUTH_ACTION_COUNT", std::to_string(free_calls));
            std::string start = ddb_test::source_dir() + "/scripts/local-dynamodb start moto '" +
                                state_ + "' >/dev/null";
            if (std::system(start.c_str()) != 0)
                throw std::runtime_error("cannot start moto with IAM authentication");
        }
        started_ = true;
        try {
            read_setup(script);
        } catch (...) {
            stop();
            throw;
        }
    }
    ~moto_with_iam() { stop(); }
    moto_with_iam(const moto_with_iam&) = delete;
    moto_with_iam& operator=(const moto_with_iam&) = delete;

    std::uint16_t port() const { return static_cast<std::uint16_t>(port_); }
    /// "http://127.0.0.1:PORT".
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    /// What the setup script printed, word by word.
    const std::vector<std::string>& words() const { return words_; }

private:
    void read_setup(const std::string& script) {
        std::ifstream in(state_);
        long pid = 0;
        if (!(in >> pid >> port_))
            throw std::runtime_error("no moto state in " + state_);
        std::string cmd =
            "python3 " + ddb_test::source_dir() + "/tests/support/" + script + " " + endpoint();
        FILE* p = ::popen(cmd.c_str(), "r");
        if (!p)
            throw std::runtime_error("cannot run " + script);
        char line[2048] = {};
        bool got = std::fgets(line, sizeof line, p) != nullptr;
        ::pclose(p);
        if (!got)
            throw std::runtime_error(script + " printed nothing");
        std::istringstream words(line);
        for (std::string w; words >> w;)
            words_.push_back(w);
        if (words_.empty())
            throw std::runtime_error(script + " printed nothing");
    }
    void stop() {
        if (!started_)
            return;
        started_ = false;
        std::string cmd = ddb_test::source_dir() + "/scripts/local-dynamodb stop '" + state_ + "'";
        [[maybe_unused]] int rc = std::system(cmd.c_str());
    }

    temp_dir dir_;
    std::string state_;
    int port_ = 0;
    bool started_ = false;
    std::vector<std::string> words_;
};

} // namespace ddb::test
