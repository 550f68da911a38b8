// ddb tests — set environment variables for one test and restore them after.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace ddb::test {

/// Sets or unsets variables; the destructor restores what was there.
class env_guard {
public:
    env_guard() = default;
    env_guard(const env_guard&) = delete;
    env_guard& operator=(const env_guard&) = delete;
    ~env_guard() {
        for (auto& [name, old] : saved_) {
            if (old)
                ::setenv(name.c_str(), old->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }
    env_guard& set(const std::string& name, const std::string& value) {
        save(name);
        ::setenv(name.c_str(), value.c_str(), 1);
        return *this;
    }
    env_guard& unset(const std::string& name) {
        save(name);
        ::unsetenv(name.c_str());
        return *this;
    }
    /// Unsets every variable that AWS SDKs read, so a developer's own
    /// configuration cannot leak into a test.
    env_guard& clean_aws() {
        for (const char* n : {"AWS_ACCESS_KEY_ID",
                              "AWS_SECRET_ACCESS_KEY",
                              "AWS_SESSION_TOKEN",
                              "AWS_PROFILE",
                              "AWS_DEFAULT_PROFILE",
                              "AWS_REGION",
                              "AWS_DEFAULT_REGION",
                              "AWS_CONFIG_FILE",
                              "AWS_SHARED_CREDENTIALS_FILE",
                              "AWS_ENDPOINT_URL",
                              "AWS_ENDPOINT_URL_DYNAMODB",
                              "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
                              "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                              "AWS_ENDPOINT_URL_STS",
                              "AWS_USE_FIPS_ENDPOINT",
                              "AWS_USE_DUALSTACK_ENDPOINT",
                              "AWS_ACCOUNT_ID_ENDPOINT_MODE",
                              "AWS_ACCOUNT_ID",
                              "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                              "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                              "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                              "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                              "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                              "AWS_MAX_ATTEMPTS",
                              "AWS_RETRY_MODE",
                              "AWS_CA_BUNDLE",
                              "AWS_WEB_IDENTITY_TOKEN_FILE",
                              "AWS_ROLE_ARN",
                              "AWS_ROLE_SESSION_NAME"})
            unset(n);
        // The developer's own ~/.aws files stay out too: the client reads
        // them for region, endpoint, retry settings and the CA bundle.
        set("AWS_CONFIG_FILE", "/nonexistent/ddb-test/config");
        set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/ddb-test/credentials");
        // Never let a test reach for the real instance metadata address.
        set("AWS_EC2_METADATA_DISABLED", "true");
        return *this;
    }

private:
    void save(const std::string& name) {
        if (saved_.count(name))
            return;
        const char* v = std::getenv(name.c_str());
        saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
    }
    std::map<std::string, std::optional<std::string>> saved_;
};

} // namespace ddb::test
