// SigV4 canonicalization: a raw HTTP request (the format of the SigV4 test
// suite's .req files) is signed with each setting. Invariants: sign() signs
// the canonical request canonical_request() renders, path normalization is
// idempotent, and URI encoding leaves only unreserved characters and %XX.
#include "fuzz.hpp"

#include <ddb/sigv4/signer.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace ddb;

// A tolerant parse of "METHOD target HTTP/1.1", "Name:value" lines (indented
// lines continue the previous value), a blank line, the body. Never fails:
// odd input just gives odd fields, which the signer must judge.
struct raw_request {
    std::string method, path, query, body;
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<sigv4::header> headers;

    explicit raw_request(std::string_view text) {
        auto next_line = [&text] {
            auto nl = text.find('\n');
            std::string_view line = text.substr(0, nl);
            text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
            return line;
        };
        std::string_view line = next_line();
        auto sp = line.find(' ');
        auto proto = line.rfind(" HTTP/");
        method = line.substr(0, sp);
        std::string_view target;
        if (sp != std::string_view::npos)
            target = line.substr(sp + 1, proto == std::string_view::npos || proto <= sp
                                             ? std::string_view::npos
                                             : proto - sp - 1);
        auto q = target.find('?');
        path = target.substr(0, q);
        if (q != std::string_view::npos)
            query = target.substr(q + 1);
        while (!text.empty()) {
            line = next_line();
            if (line.empty()) {
                body = text;
                break;
            }
            if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
                auto b = line.find_first_not_of(" \t");
                fields.back().second.append(" ").append(
                    b == std::string_view::npos ? std::string_view{} : line.substr(b));
                continue;
            }
            auto colon = line.find(':');
            fields.emplace_back(line.substr(0, colon),
                                colon == std::string_view::npos ? "" : line.substr(colon + 1));
        }
        for (auto& [n, v] : fields)
            headers.push_back({n, v});
    }

    sigv4::request view() const {
        sigv4::request r;
        r.method = method;
        r.path = path;
        r.query = query;
        r.headers = headers;
        r.payload = body;
        return r;
    }
};

bool is_hex_upper(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

void check_uri_encode(std::string_view in, bool keep_slash) {
    std::string out;
    sigv4::uri_encode(out, in, keep_slash);
    for (std::size_t i = 0; i < out.size(); ++i) {
        char c = out[i];
        if (c == '%') {
            DDB_FUZZ_CHECK(i + 2 < out.size() + 0 && is_hex_upper(out[i + 1]) &&
                           is_hex_upper(out[i + 2]));
            i += 2;
            continue;
        }
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
        DDB_FUZZ_CHECK(ok);
    }
}

const credentials creds{
    "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token", {}, "fuzz", {}};

} // namespace

DDB_FUZZ_TARGET {
    const raw_request raw(fuzz::text(data, size));
    const sigv4::request req = raw.view();
    using std::chrono::system_clock;
    const auto when = system_clock::time_point(std::chrono::seconds(1440938160));

    const sigv4::settings all_settings[] = {
        {},
        {sigv4::percent_encoding::single_encode, sigv4::path_normalization::disabled,
         sigv4::session_token_mode::exclude_from_signature},
    };
    for (const auto& opts : all_settings) {
        fuzz::typed([&] {
            sigv4::signing_trace trace;
            auto result =
                sigv4::sign(req, {creds, "us-east-1", "service", when, opts}, nullptr, &trace);
            DDB_FUZZ_CHECK(result.signature().size() == 64);
            sigv4::added_headers extra;
            if (result.add_amz_date)
                extra.amz_date = result.amz_date;
            if (opts.token_mode == sigv4::session_token_mode::include)
                extra.security_token = result.security_token;
            DDB_FUZZ_CHECK(sigv4::canonical_request(req, opts, extra) == trace.canonical_request);
        });
    }

    const std::string once = sigv4::normalize_path(raw.path);
    DDB_FUZZ_CHECK(!once.empty() && once[0] == '/');
    DDB_FUZZ_CHECK(sigv4::normalize_path(once) == once);
    check_uri_encode(raw.path, true);
    check_uri_encode(raw.query, false);
    return 0;
}
