// STS against moto: AssumeRole signed with an IAM user's key on a moto that
// checks every signature and policy (the role's credentials then sign
// DynamoDB calls, accepted, and refused once altered); refusals typed;
// AssumeRoleWithWebIdentity in both forms of the web identity provider,
// re-reading the token file at each fetch; and a chaos case: STS answering
// 500s and throttling while the credentials are due for refresh.
#include <ddb/aws/sts.hpp>

#include <ddb/aws/assume_role_provider.hpp>
#include <ddb/aws/web_identity_provider.hpp>
#include <ddb/client/client.hpp>
#include <ddb/client/errors.hpp>
#include <ddb/credentials/caching_provider.hpp>
#include <ddb/credentials/static_provider.hpp>

#include "../support/client_setup.hpp"
#include "../support/env.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/http_test_server.hpp"
#include "../support/local_server.hpp"
#include "../support/moto_iam.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>

using namespace ddb;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using sys = std::chrono::system_clock;
using steady = std::chrono::steady_clock;

namespace {

// What tests/support/moto_sts_roles.py made in a moto with IAM auth on.
struct sts_moto {
    test::moto_with_iam server{7, "moto_sts_roles.py"};
    credentials user() const {
        return {server.words().at(0), server.words().at(1), {}, {}, "test-user", {}};
    }
    const std::string& open_role() const { return server.words().at(2); }
    const std::string& closed_role() const { return server.words().at(3); }
};

sts_settings sts_at(const std::string& url) {
    sts_settings s;
    s.endpoint = parse_endpoint(url, "test");
    s.timeout = milliseconds(5000);
    return s;
}

client_config config_for(const std::string& endpoint, credentials_provider_ptr provider) {
    client_config c;
    c.region = "us-east-1";
    c.endpoint = endpoint;
    c.credentials = std::move(provider);
    retry_config r;
    r.max_attempts = 2;
    r.base_delay = milliseconds(1);
    r.random = [] { return 0.5; };
    c.retry = r;
    c.attempt_timeout = milliseconds(10000);
    return c;
}

using ddb::test::list_tables;

// The sts_error `make()` ends with.
template <class F>
sts_error sts_failure(asio::io_context& ioc, F&& make) {
    try {
        test::run(ioc, std::forward<F>(make));
    } catch (const sts_error& e) {
        return e;
    } catch (const std::exception& e) {
        FAIL("not an sts_error: " << e.what());
    }
    FAIL("no error");
    throw std::logic_error("unreachable");
}

credentials_errc code_of(const credentials_error& e) {
    return static_cast<credentials_errc>(e.code().value());
}

// Passes each request on to 127.0.0.1:upstream (a connection each) and
// keeps the bodies and Authorization headers that were sent.
struct recording_forwarder {
    explicit recording_forwarder(std::uint16_t upstream_port)
        : upstream(upstream_port) {}

    std::uint16_t upstream;
    std::mutex mutex;
    std::vector<std::string> bodies, authorizations;
    test::http_test_server server{[this](const test::test_request& req) { return forward(req); }};

    test::test_response forward(const test::test_request& req) {
        {
            std::lock_guard lock(mutex);
            bodies.push_back(req.body());
            authorizations.emplace_back(req[bhttp::field::authorization]);
        }
        return test::forward_to(upstream, req);
    }
    std::string last_body() {
        std::lock_guard lock(mutex);
        return bodies.empty() ? std::string() : bodies.back();
    }
    std::string last_authorization() {
        std::lock_guard lock(mutex);
        return authorizations.empty() ? std::string() : authorizations.back();
    }
};

// An STS error document as AWS sends it.
std::string sts_error_xml(const std::string& code, const std::string& message) {
    return R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>)"
           "<Type>Sender</Type><Code>" +
           code + "</Code><Message>" + message +
           "</Message></Error><RequestId>injected</RequestId></ErrorResponse>";
}

// A source of fixed credentials that counts its calls.
struct counting_source final : credentials_provider {
    explicit counting_source(credentials c)
        : creds(std::move(c)) {}
    credentials creds;
    int fetches = 0, invalidations = 0;
    awaitable<credentials> fetch() override {
        ++fetches;
        co_return creds;
    }
    std::string name() const override { return "counting"; }
    void invalidate() override { ++invalidations; }
};

// Ticks every 10 ms until `stop`.
awaitable<void> heartbeat(asio::io_context& ioc, int& beats, const bool& stop) {
    asio::steady_timer t(ioc);
    while (!stop) {
        t.expires_after(milliseconds(10));
        co_await t.async_wait(asio::use_awaitable);
        ++beats;
    }
}

} // namespace

TEST_CASE("sts: AssumeRole with moto checking signatures: DynamoDB accepts the role's "
          "credentials and refuses them altered",
          "[sts][auth]") {
    test::env_guard env;
    env.clean_aws();
    sts_moto moto;
    auto user = std::make_shared<static_provider>(moto.user());
    assume_role_params role{moto.open_role(), "ddb-sts-test", "external-1", seconds(900)};
    auto provider =
        std::make_shared<assume_role_provider>(user, role, sts_at(moto.server.endpoint()));
    CHECK(provider->name() == "assume-role " + moto.open_role() + " (from static)");

    asio::io_context ioc;
    auto before = sys::now();
    credentials c = test::run(ioc, [&] { return provider->fetch(); });
    CHECK(c.access_key_id.starts_with("ASIA"));
    CHECK(c.access_key_id != moto.user().access_key_id);
    CHECK_FALSE(c.secret_access_key.empty());
    CHECK_FALSE(c.session_token.empty());
    CHECK(c.account_id == "123456789012");
    CHECK(c.source == "assume-role " + moto.open_role());
    REQUIRE(c.expiration);
    CHECK(*c.expiration > before + minutes(14));
    CHECK(*c.expiration < sys::now() + minutes(16));

    // A client signing with the role's credentials (cached): accepted.
    auto cache = std::make_shared<caching_provider>(provider);
    client good(ioc.get_executor(), config_for(moto.server.endpoint(), cache));
    CHECK(list_tables(ioc, good).as_object().contains("TableNames"));
    CHECK(list_tables(ioc, good).as_object().contains("TableNames"));
    CHECK(cache->refreshes() == 1);

    // The same credentials with a wrong secret: refused, typed.
    credentials altered = c;
    altered.secret_access_key[0] = altered.secret_access_key[0] == 'x' ? 'y' : 'x';
    client bad(ioc.get_executor(),
               config_for(moto.server.endpoint(), std::make_shared<static_provider>(altered)));
    CHECK_THROWS_AS(list_tables(ioc, bad), invalid_signature);
    // ... and without the session token: the key alone is not enough.
    credentials no_token = c;
    no_token.session_token.clear();
    client tokenless(ioc.get_executor(), config_for(moto.server.endpoint(),
                                                    std::make_shared<static_provider>(no_token)));
    CHECK_THROWS_AS(list_tables(ioc, tokenless), authentication_error);
}

TEST_CASE("sts: AssumeRole refusals are typed, name the role, carry no secret, and are not "
          "tried again",
          "[sts][auth]") {
    test::env_guard env;
    env.clean_aws();
    sts_moto moto;
    test::fault_proxy proxy("127.0.0.1", moto.server.port());
    auto sts = sts_at(proxy.endpoint());
    asio::io_context ioc;
    credentials user = moto.user();
    auto assume = [&](const credentials& caller, assume_role_params role) {
        return sts_failure(ioc, [&] { return sts_assume_role(sts, caller, role); });
    };
    auto no_secret = [&](const sts_error& e, const credentials& caller) {
        CHECK_THAT(e.what(), !Catch::Contains(caller.secret_access_key));
        CHECK_THAT(e.what(), !Catch::Contains(moto.user().secret_access_key));
    };

    // A role whose trust policy does not name the user.
    std::size_t before = proxy.requests();
    auto denied = assume(user, {moto.closed_role(), "s", "", std::nullopt});
    CHECK(code_of(denied) == credentials_errc::access_denied);
    CHECK(denied.sts_code() == "AccessDenied");
    CHECK(denied.role_arn() == moto.closed_role());
    CHECK_FALSE(denied.request_id().empty());
    CHECK_THAT(denied.what(), Catch::Contains(moto.closed_role()) &&
                                  Catch::Contains(denied.request_id()) &&
                                  Catch::Contains("STS AssumeRole"));
    no_secret(denied, user);
    CHECK(proxy.requests() == before + 1);

    // The user's key with a wrong secret, and a key moto does not know.
    credentials wrong = user;
    wrong.secret_access_key += "x";
    auto bad_signature = assume(wrong, {moto.open_role(), "s", "", std::nullopt});
    CHECK(code_of(bad_signature) == credentials_errc::access_denied);
    CHECK(bad_signature.sts_code() == "SignatureDoesNotMatch");
    no_secret(bad_signature, wrong);
    credentials stranger{"AKIAUNKNOWNUNKNOWN00", "stranger-secret", {}, {}, "test", {}};
    auto unknown = assume(stranger, {moto.open_role(), "s", "", std::nullopt});
    CHECK(code_of(unknown) == credentials_errc::access_denied);
    CHECK(unknown.sts_code() == "InvalidClientTokenId");
    no_secret(unknown, stranger);

    // A session name STS refuses (longer than 64): malformed_policy.
    auto invalid = assume(user, {moto.open_role(), std::string(65, 'n'), "", std::nullopt});
    CHECK(code_of(invalid) == credentials_errc::malformed_policy);
    CHECK(invalid.sts_code() == "ValidationError");
    CHECK_THAT(invalid.what(), Catch::Contains(moto.open_role()));

    // STS says the source's token expired: expired_token, and the source
    // is invalidated (its cache must not present the same token again).
    auto source = std::make_shared<counting_source>(user);
    assume_role_provider from_source(source, {moto.open_role(), "", "", std::nullopt}, sts);
    proxy.push(test::fault(
        test::fault::respond, 400,
        sts_error_xml("ExpiredToken", "The security token included in the request is expired")));
    before = proxy.requests();
    auto expired = sts_failure(ioc, [&] { return from_source.fetch(); });
    CHECK(code_of(expired) == credentials_errc::expired_token);
    CHECK(expired.sts_code() == "ExpiredToken");
    CHECK(source->invalidations == 1);
    CHECK(proxy.requests() == before + 1);
    // A throttled first attempt is tried again.
    proxy.push(
        test::fault(test::fault::respond, 400, sts_error_xml("Throttling", "Rate exceeded")));
    before = proxy.requests();
    auto again = test::run(ioc, [&] { return from_source.fetch(); });
    CHECK(again.account_id == "123456789012");
    CHECK(proxy.requests() == before + 2);
    CHECK(source->fetches == 2);

    // moto lets a user assume a role that does not exist (its documented
    // behaviour; AWS would answer AccessDenied): the account id is the one
    // of the role's ARN.
    assume_role_params elsewhere{"arn:aws:iam::210987654321:role/none", "", "", std::nullopt};
    auto c = test::run(ioc, [&] { return sts_assume_role(sts, user, elsewhere); });
    CHECK(c.account_id == "210987654321");

    // The source provider's own error is passed on as is.
    credentials half{"AKIDHALF", "", {}, {}, "test", {}};
    assume_role_provider from_half(std::make_shared<static_provider>(half),
                                   {moto.open_role(), "", "", std::nullopt}, sts);
    try {
        test::run(ioc, [&] { return from_half.fetch(); });
        FAIL("fetched");
    } catch (const sts_error& e) {
        FAIL("an STS error: " << e.what());
    } catch (const credentials_error& e) {
        CHECK(code_of(e) == credentials_errc::malformed);
    }
}

TEST_CASE("sts: web identity, profile and environment forms, the token file read at each fetch",
          "[sts]") {
    test::env_guard env;
    env.clean_aws();
    recording_forwarder recorder(static_cast<std::uint16_t>(
        std::stoi(test::local_server::endpoint("moto").substr(17)))); // "http://127.0.0.1:"
    auto sts = sts_at(recorder.server.url());
    test::temp_dir dir;
    std::string file = dir.write("token", "token-one\n");
    const std::string arn = "arn:aws:iam::123456789012:role/eks-pod";
    auto profile_form = std::make_shared<web_identity_provider>(
        file, assume_role_params{arn, "pod-session", "", seconds(3600)}, sts);
    asio::io_context ioc;

    auto c1 = test::run(ioc, [&] { return profile_form->fetch(); });
    CHECK(c1.source == "web-identity " + arn);
    CHECK(c1.account_id == "123456789012");
    REQUIRE(c1.expiration);
    CHECK(*c1.expiration > sys::now() + minutes(59));
    CHECK_FALSE(c1.session_token.empty());
    std::string sent = recorder.last_body();
    CHECK_THAT(sent, Catch::StartsWith("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&"));
    CHECK_THAT(sent, Catch::EndsWith("WebIdentityToken=token-one"));
    CHECK_THAT(sent,
               Catch::Contains("RoleSessionName=pod-session") &&
                   Catch::Contains("DurationSeconds=3600") &&
                   Catch::Contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Feks-pod"));
    CHECK(recorder.last_authorization().empty()); // not signed

    // The file is rotated: the next fetch sends the new token.
    dir.write("token", "token-two");
    auto c2 = test::run(ioc, [&] { return profile_form->fetch(); });
    CHECK_THAT(recorder.last_body(), Catch::EndsWith("WebIdentityToken=token-two"));
    CHECK(c2.access_key_id != c1.access_key_id);
    // Gone: a malformed error naming the file; back: served again.
    std::filesystem::remove(file);
    std::size_t requests = recorder.server.requests();
    try {
        test::run(ioc, [&] { return profile_form->fetch(); });
        FAIL("fetched");
    } catch (const credentials_error& e) {
        CHECK(code_of(e) == credentials_errc::malformed);
        CHECK_THAT(e.what(), Catch::Contains(file));
    }
    CHECK(recorder.server.requests() == requests);
    dir.write("token", "token-three");
    test::run(ioc, [&] { return profile_form->fetch(); });
    CHECK_THAT(recorder.last_body(), Catch::EndsWith("WebIdentityToken=token-three"));

    // The role's credentials sign DynamoDB calls (this moto checks no
    // signature; the AssumeRole case above shows a checking one).
    client with_role(ioc.get_executor(),
                     config_for(test::local_server::endpoint("moto"),
                                std::make_shared<caching_provider>(profile_form)));
    CHECK(list_tables(ioc, with_role).as_object().contains("TableNames"));

    // The environment form reads its variables at each fetch.
    web_identity_provider env_form(sts);
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", file);
    env.set("AWS_ROLE_ARN", "arn:aws:iam::210987654321:role/from-env");
    env.set("AWS_ROLE_SESSION_NAME", "env-session");
    auto e1 = test::run(ioc, [&] { return env_form.fetch(); });
    CHECK(e1.account_id == "210987654321");
    CHECK(e1.source == "web-identity arn:aws:iam::210987654321:role/from-env");
    CHECK_THAT(recorder.last_body(), Catch::Contains("RoleSessionName=env-session") &&
                                         Catch::EndsWith("WebIdentityToken=token-three"));
    env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/other");
    env.unset("AWS_ROLE_SESSION_NAME");
    auto e2 = test::run(ioc, [&] { return env_form.fetch(); });
    CHECK(e2.account_id == "123456789012");
    CHECK_THAT(recorder.last_body(), Catch::Contains("RoleSessionName=ddb-session-"));
    env.unset("AWS_WEB_IDENTITY_TOKEN_FILE");
    try {
        test::run(ioc, [&] { return env_form.fetch(); });
        FAIL("fetched");
    } catch (const credentials_error& e) {
        CHECK(code_of(e) == credentials_errc::not_found);
    }
}

TEST_CASE("sts chaos: STS failing while a refresh is due: the old credentials serve until "
          "they expire, then a typed error, then new credentials when STS is back",
          "[sts][chaos]") {
    test::env_guard env;
    env.clean_aws();
    sts_moto moto;
    test::fault_proxy proxy("127.0.0.1", moto.server.port()); // in front of STS only
    auto sts = sts_at(proxy.endpoint());
    sts.timeout = milliseconds(2000);
    sts.attempts = 3;
    auto role_provider = std::make_shared<assume_role_provider>(
        std::make_shared<static_provider>(moto.user()),
        assume_role_params{moto.open_role(), "chaos", "", seconds(900)}, sts);
    // The cache's clock: the real one, or a time the test sets.
    auto fake_now = std::make_shared<std::atomic<sys::rep>>(0);
    caching_provider::options opts;
    opts.refresh_before = minutes(5);
    opts.now = [fake_now] {
        auto t = fake_now->load();
        return t == 0 ? sys::now() : sys::time_point(sys::duration(t));
    };
    auto cache = std::make_shared<caching_provider>(role_provider, opts);
    auto set_now = [&](sys::time_point t) { fake_now->store(t.time_since_epoch().count()); };

    asio::io_context ioc; // one thread: this one
    client c(ioc.get_executor(), config_for(moto.server.endpoint(), cache));
    std::string op = "ListTables";
    boost::json::value none = boost::json::object{};

    auto before_refresh = sys::now();
    credentials first = test::run(ioc, [&] { return cache->fetch(); });
    REQUIRE(first.expiration);
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));

    // STS fails from now on: 500s and throttling, at random.
    proxy.inject_randomly(
        1.0, 17,
        {test::fault(test::fault::respond, 500,
                     sts_error_xml("InternalFailure", "injected by the fault proxy")),
         test::fault(test::fault::respond, 400, sts_error_xml("Throttling", "Rate exceeded"))});

    // In the refresh window: the old credentials at once, a background
    // refresh fails, DynamoDB calls signed with the old ones keep working.
    set_now(*first.expiration - minutes(2));
    test::run(ioc, [&]() -> awaitable<void> {
        for (int round = 0; round < 3; ++round) {
            auto t0 = steady::now();
            credentials now = co_await cache->fetch();
            auto waited = steady::now() - t0;
            CHECK(now.access_key_id == first.access_key_id);
            CHECK(waited < milliseconds(200)); // a failing refresh takes >= 300 ms
            auto answer = co_await c.call(op, none);
            CHECK(answer.as_object().contains("TableNames"));
            // Let the background refresh run into its failures.
            asio::steady_timer pause(ioc, milliseconds(700));
            co_await pause.async_wait(asio::use_awaitable);
        }
    });
    CHECK(proxy.faults_injected() >= 3);
    CHECK(cache->refreshes() >= 2);

    // Past the expiration: the refresh is required and fails, typed, bounded.
    set_now(*first.expiration + seconds(1));
    // A heartbeat on the same thread: it keeps ticking while refreshes fail.
    int beats = 0;
    bool stop = false;
    asio::co_spawn(ioc, heartbeat(ioc, beats, stop), asio::detached);

    auto t0 = steady::now();
    std::optional<sts_error> failure;
    try {
        test::complete(ioc, [&] { return cache->fetch(); });
    } catch (const sts_error& e) {
        failure = e;
    }
    auto took = steady::now() - t0;
    stop = true;
    REQUIRE(failure);
    const sts_error& failed = *failure;
    CHECK(code_of(failed) == credentials_errc::provider_failed);
    CHECK(failed.role_arn() == moto.open_role());
    CHECK_THAT(failed.what(), Catch::Contains(moto.open_role()) &&
                                  Catch::Contains("failed after 3 attempts") &&
                                  !Catch::Contains(moto.user().secret_access_key));
    CHECK((failed.sts_code() == "Throttling" || failed.sts_code() == "InternalFailure"));
    CHECK(failed.request_id().starts_with("fault-proxy-"));
    CHECK(took < milliseconds(5000));
    CHECK(beats >= 10); // 3 attempts, 100 + 200 ms apart
    // A DynamoDB call now fails with the same typed error.
    CHECK_THROWS_AS(list_tables(ioc, c), sts_error);

    // STS is back: the next fetch gets new credentials, and calls work.
    proxy.stop_injecting();
    credentials renewed = test::run(ioc, [&] { return cache->fetch(); });
    CHECK(renewed.access_key_id != first.access_key_id);
    REQUIRE(renewed.expiration);
    CHECK(*renewed.expiration >= *first.expiration);
    CHECK(renewed.account_id == "123456789012");
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
    CHECK(sys::now() - before_refresh < minutes(1));
}
