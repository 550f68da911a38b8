// ddb tests — the endpoint of a local DynamoDB (moto or dynalite).
//
// Under ctest a fixture starts one server of each kind and writes its state
// file <kind>.state to the folder named by DDB_TEST_STATE_DIR. Run by hand,
// the test starts its own server with scripts/local-dynamodb and stops it at
// exit.
#pragma once

#include "source_dir.hpp"
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace ddb::test {

class local_server {
public:
    /// "http://127.0.0.1:PORT" of a running server of `kind` ("moto", "dynalite").
    static std::string endpoint(const std::string& kind) {
        static std::map<std::string, std::unique_ptr<local_server>> own;
        if (const char* dir = std::getenv("DDB_TEST_STATE_DIR"))
            return from_state(std::string(dir) + "/" + kind + ".state");
        auto& s = own[kind];
        if (!s)
            s.reset(new local_server(kind));
        return from_state(s->state_);
    }

    ~local_server() {
        std::string cmd = ddb_test::source_dir() + "/scripts/local-dynamodb stop '" + state_ + "'";
        [[maybe_unused]] int rc = std::system(cmd.c_str());
    }

private:
    explicit local_server(const std::string& kind) {
        state_ = "/tmp/ddb-test-" + kind + "-" + std::to_string(::getpid()) + ".state";
        std::string cmd = ddb_test::source_dir() + "/scripts/local-dynamodb start " + kind + " '" +
                          state_ + "' >/dev/null";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("cannot start " + kind);
    }

    static std::string from_state(const std::string& path) {
        std::ifstream in(path);
        long pid = 0;
        int port = 0;
        if (!(in >> pid >> port))
            throw std::runtime_error("no local server state in " + path);
        return "http://127.0.0.1:" + std::to_string(port);
    }

    std::string state_;
};

} // namespace ddb::test
