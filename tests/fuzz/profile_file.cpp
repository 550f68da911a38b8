// The shared config and credentials file parser. The input is the config
// file, then after a NUL byte the credentials file (without one, the same
// text is both). Invariants: errors name only the file and line (never the
// content: it may hold a secret), and what was parsed is found by name.
#include "fuzz.hpp"

#include <ddb/credentials/error.hpp>
#include <ddb/credentials/profile_file.hpp>

#include <string>

namespace {

using namespace ddb;

// The reasons the parser gives, and nothing else, after "<origin>:<line>: ".
bool known_reason(std::string_view why) {
    for (std::string_view r :
         {"sub-property without '='", "section without ']'", "text after section header",
          "empty section name", "empty profile name", "expected 'key = value'",
          "property outside of any profile section", "empty property name"})
        if (why == r)
            return true;
    return false;
}

void check_message(std::string_view what) {
    std::string_view rest;
    for (std::string_view origin : {"config:", "credentials:"})
        if (what.starts_with(origin))
            rest = what.substr(origin.size());
    DDB_FUZZ_CHECK(!rest.empty());
    auto colon = rest.find(": ");
    DDB_FUZZ_CHECK(colon != std::string_view::npos && colon > 0);
    for (char c : rest.substr(0, colon))
        DDB_FUZZ_CHECK(c >= '0' && c <= '9');
    DDB_FUZZ_CHECK(known_reason(rest.substr(colon + 2)));
}

} // namespace

DDB_FUZZ_TARGET {
    const auto input = fuzz::text(data, size);
    const auto nul = input.find('\0');
    const auto config = input.substr(0, nul);
    const auto creds = nul == std::string_view::npos ? input : input.substr(nul + 1);
    try {
        const profile_set set = profile_set::parse(config, creds);
        for (std::string_view name : {"default", "dev", "prod"})
            if (const profile* p = set.find(name)) {
                DDB_FUZZ_CHECK(p->name == name);
                for (const auto& [key, value] : p->properties) {
                    DDB_FUZZ_CHECK(!key.empty());
                    DDB_FUZZ_CHECK(p->get(key).has_value());
                }
                (void)p->get("aws_access_key_id");
                (void)p->get("region");
            }
    } catch (const credentials_error& e) {
        DDB_FUZZ_CHECK(e.code() == credentials_errc::malformed);
        check_message(e.what());
    }
    return 0;
}
