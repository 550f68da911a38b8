// The default chain resolving profiles end to end against moto with IAM
// authentication on (signatures and policies checked): a role assumed
// through a chain of two source profiles signs DynamoDB calls that moto
// accepts; a credential_process profile does the same; a role the user may
// not assume fails the call with a typed error naming it. Only the
// environment is set (AWS_CONFIG_FILE, AWS_PROFILE, AWS_ENDPOINT_URL), as a
// user would: the client is built with a default client_config.
#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/sts.hpp>
#include <ddb/client/client.hpp>

#include "../support/client_setup.hpp"
#include "../support/env.hpp"
#include "../support/moto_iam.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <fstream>

using namespace ddb;
namespace asio = boost::asio;

namespace {

using ddb::test::list_tables;

// moto with an IAM user (key) and two roles (open, closed); a config file
// whose profiles use them.
struct roles_world {
    test::moto_with_iam server{7, "moto_sts_roles.py"};
    test::temp_dir dir;
    std::string config = dir.path().string() + "/config";
    std::string script = dir.path().string() + "/creds.sh";

    const std::string& key() const { return server.words().at(0); }
    const std::string& secret() const { return server.words().at(1); }
    const std::string& open_role() const { return server.words().at(2); }
    const std::string& closed_role() const { return server.words().at(3); }

    roles_world() {
        std::ofstream(script) << "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"%s\", "
                                 "\"SecretAccessKey\": \"%s\"}' '"
                              << key() << "' '" << secret() << "'\n";
        std::ofstream(config) << "[profile base]\naws_access_key_id = " << key()
                              << "\naws_secret_access_key = " << secret()
                              << "\n[profile hop]\nrole_arn = " << open_role()
                              << "\nsource_profile = base\nrole_session_name = hop\n"
                              << "[profile app]\nrole_arn = " << open_role()
                              << "\nsource_profile = hop\nduration_seconds = 900\n"
                              << "[profile helper]\ncredential_process = sh " << script
                              << "\n[profile helper-role]\nrole_arn = " << open_role()
                              << "\nsource_profile = helper\n"
                              << "[profile closed]\nrole_arn = " << closed_role()
                              << "\nsource_profile = base\n";
    }

    // The environment a user would set for profile `name`.
    void use(test::env_guard& env, const std::string& name) {
        env.clean_aws()
            .set("AWS_CONFIG_FILE", config)
            .set("AWS_PROFILE", name)
            .set("AWS_REGION", "us-east-1")
            .set("AWS_ENDPOINT_URL", server.endpoint());
    }
};

} // namespace

TEST_CASE("profile roles: a role chain of two source profiles signs accepted calls",
          "[credentials][sts]") {
    roles_world w;
    test::env_guard env;
    w.use(env, "app");
    asio::io_context ioc;
    client c(ioc.get_executor(), client_config{});
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
    auto said = c.credential_source()->describe();
    INFO(said);
    CHECK_THAT(said, Catch::Contains("served by profile 'app': assume-role " + w.open_role() +
                                     " (from profile 'hop': assume-role " + w.open_role() +
                                     " (from profile 'base': static keys))"));
    CHECK_THAT(said, Catch::Contains("expiring in"));
    CHECK_THAT(said, !Catch::Contains(w.secret()));
    // Served from the cache: a second call needs no STS round trip.
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
}

TEST_CASE("profile roles: credential_process, alone and as a role's source",
          "[credentials][process]") {
    roles_world w;
    for (const char* name : {"helper", "helper-role"}) {
        INFO(name);
        test::env_guard env;
        w.use(env, name);
        asio::io_context ioc;
        client c(ioc.get_executor(), client_config{});
        CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
        CHECK_THAT(c.credential_source()->describe(),
                   Catch::Contains(std::string("served by profile '") + name));
    }
}

TEST_CASE("profile roles: a role the user may not assume fails the call, typed and named",
          "[credentials][sts]") {
    roles_world w;
    test::env_guard env;
    w.use(env, "closed");
    asio::io_context ioc;
    client c(ioc.get_executor(), client_config{});
    try {
        list_tables(ioc, c);
        FAIL("the call went through");
    } catch (const credentials_error& e) {
        std::string what = e.what();
        INFO(what);
        CHECK(e.code() == credentials_errc::access_denied);
        CHECK(e.code() == ddb::errc::access_denied);
        CHECK_THAT(what, Catch::Contains(w.closed_role()));
        CHECK_THAT(what, !Catch::Contains(w.secret()));
    }
}
