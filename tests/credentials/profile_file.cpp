// Test that header file is self-contained.
#include <ddb/credentials/profile_file.hpp>

#include <ddb/credentials/error.hpp>

#include "../support/env.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace ddb;

TEST_CASE("config and credentials files parse and merge as in the AWS SDKs", "[credentials]") {
    const char* config = R"(# leading comment
[default]
region = us-west-2
output=json ; inline comment

[profile dev]
region = eu-west-1   # trailing comment
s3 =
  max_concurrent_requests = 20
  addressing_style = path
aws_access_key_id = FROMCONFIG

[sso-session corp]
sso_region = us-east-1

[bare]
region = should-be-ignored
)";
    const char* creds =
        "[dev]\r\naws_access_key_id = FROMCREDS\r\naws_secret_access_key = s#not-a-comment\r\n"
        "[default]\naws_access_key_id=AKIDDEF\naws_secret_access_key=SECDEF\n";
    auto set = profile_set::parse(config, creds);
    const profile* def = set.find("default");
    REQUIRE(def);
    CHECK(def->get("region") == "us-west-2");
    CHECK(def->get("output") == "json");
    CHECK(def->get("aws_access_key_id") == "AKIDDEF");
    const profile* dev = set.find("dev");
    REQUIRE(dev);
    CHECK(dev->get("region") == "eu-west-1");
    CHECK(dev->get("s3.max_concurrent_requests") == "20");
    CHECK(dev->get("s3.addressing_style") == "path");
    // The credentials file wins over the config file.
    CHECK(dev->get("aws_access_key_id") == "FROMCREDS");
    // '#' without whitespace before it is part of the value.
    CHECK(dev->get("AWS_SECRET_ACCESS_KEY") == "s#not-a-comment");
    CHECK(set.find("corp") == nullptr);
    CHECK(set.find("bare") == nullptr);
    CHECK(set.find("sso-session corp") == nullptr);
}

TEST_CASE("a malformed file is a typed error naming file and line, not content", "[credentials]") {
    auto code_and_what = [](std::string_view config, std::string_view creds) {
        try {
            profile_set::parse(config, creds, "cfg", "creds");
        } catch (const credentials_error& e) {
            return std::pair{e.code(), std::string(e.what())};
        }
        return std::pair{error_code{}, std::string{}};
    };
    auto [c1, w1] = code_and_what("", "[default]\naws_secret_access_key SECRETVALUE\n");
    CHECK(c1 == credentials_errc::malformed);
    CHECK(w1.find("creds:2") != std::string::npos);
    CHECK(w1.find("SECRETVALUE") == std::string::npos);
    auto [c2, w2] = code_and_what("region = x\n", "");
    CHECK(c2 == credentials_errc::malformed);
    CHECK(w2.find("cfg:1") != std::string::npos);
    CHECK(code_and_what("[default\n", "").first == credentials_errc::malformed);
    CHECK(code_and_what("[]\n", "").first == credentials_errc::malformed);
}

TEST_CASE("profile files are found through AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and HOME",
          "[credentials]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws().unset("AWS_CONFIG_FILE").unset("AWS_SHARED_CREDENTIALS_FILE");
    std::filesystem::create_directories(dir.path() / ".aws");
    dir.write(".aws/config", "[default]\nregion = ap-south-1\n");
    dir.write(".aws/credentials", "[default]\naws_access_key_id = HOMEKEY\n");
    env.set("HOME", dir.path().string());
    auto paths = profile_file_paths::from_environment();
    CHECK(paths.config == (dir.path() / ".aws/config").string());
    auto set = profile_set::load();
    REQUIRE(set.find("default"));
    CHECK(set.find("default")->get("region") == "ap-south-1");
    CHECK(set.find("default")->get("aws_access_key_id") == "HOMEKEY");
    CHECK(set.sources().size() == 2);

    auto other = dir.write("other-config", "[profile x]\nregion = eu-north-1\n");
    env.set("AWS_CONFIG_FILE", other)
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "missing").string());
    auto set2 = profile_set::load();
    CHECK(set2.find("default") == nullptr);
    REQUIRE(set2.find("x"));
    CHECK(set2.sources().size() == 1); // a missing file is not an error
}

TEST_CASE("profile selection: AWS_PROFILE, then AWS_DEFAULT_PROFILE, then default",
          "[credentials]") {
    test::env_guard env;
    env.clean_aws();
    CHECK(profile_selection::from_environment().name == "default");
    CHECK_FALSE(profile_selection::from_environment().explicit_choice);
    env.set("AWS_DEFAULT_PROFILE", "b");
    CHECK(profile_selection::from_environment().name == "b");
    env.set("AWS_PROFILE", "a");
    CHECK(profile_selection::from_environment().name == "a");
    CHECK(profile_selection::from_environment().explicit_choice);
}
