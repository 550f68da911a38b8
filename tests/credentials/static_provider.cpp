// Test that header file is self-contained.
#include <ddb/credentials/static_provider.hpp>

#include "../support/run.hpp"

#include <catch2/catch.hpp>

using namespace ddb;

TEST_CASE("static provider returns its credentials and rejects empty ones", "[credentials]") {
    auto p = std::make_shared<static_provider>(credentials{"AKID", "SECRET", "TOK", {}, {}, {}});
    auto c = test::run([&] { return p->fetch(); });
    CHECK(c.access_key_id == "AKID");
    CHECK(c.session_token == "TOK");
    CHECK(c.source == "static");
    auto empty = std::make_shared<static_provider>(credentials{"AKID", "", "", {}, {}, {}});
    try {
        test::run([&] { return empty->fetch(); });
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::malformed);
    }
}
