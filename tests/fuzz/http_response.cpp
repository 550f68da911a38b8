// HTTP response heads (and bodies) as the transport reads them: the
// transport's parser (`raw_parser`, Beast's basic_parser into a
// raw_response) under the transport's limits, its errors mapped as the
// transport maps them, then the checks of a complete response (x-amz-crc32,
// status, error body, a 200's JSON). The input is the bytes a server sent.
// Invariants: a parse failure is a non-transient transport_error (malformed
// or too large) or a closed connection, never an I/O error or a timeout;
// when the bytes give a response both at once and one by one, it is the same
// one; and Beast's own response_parser reads the same status, fields and
// body. (Whether bad bytes fail can depend on how they arrive: Beast judges
// some heads only once it has all of them or the connection closes.)
#include "fuzz.hpp"

#include <ddb/client/errors.hpp>
#include <ddb/http/checks.hpp>
#include <ddb/http/error.hpp>

#include "http/detail/response_check.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace ddb;

struct outcome {
    std::optional<http::errc> error; // else `res` is the response
    http::raw_response res;
    std::vector<std::pair<std::string, std::string>> fields;
};

// Beast's response_parser, for comparison: what it read as a raw_response.
struct beast_parser {
    http::detail::response_parser parser;
    http::raw_response& out;
    explicit beast_parser(http::raw_response& r)
        : out(r) {}
    void finish() {
        auto res = parser.release();
        out.set_status(res.result_int(), res.reason(), static_cast<int>(res.version()));
        for (auto& f : res.base())
            out.add_field(f.name_string(), f.value());
        out.body() = std::move(res.body());
    }
};
struct transport_parser {
    http::detail::raw_parser parser;
    explicit transport_parser(http::raw_response& r)
        : parser(r) {}
    void finish() {}
};

// Feeds `bytes` to a parser `chunk` bytes at a time, as async_read does with
// what each read returns; the end of the input is the server closing.
template <class Parser>
outcome read(std::string_view bytes, std::size_t chunk, std::size_t limit) {
    outcome out;
    Parser p(out.res);
    auto& parser = p.parser;
    http::detail::limit_response(parser, limit);
    beast::flat_buffer buffer;
    beast::error_code ec;
    bool got_bytes = false;
    while (!parser.is_done()) {
        if (bytes.empty()) {
            // Beast's read: end of stream before any byte is end_of_stream,
            // else the parser decides (a body delimited by the close ends).
            if (parser.got_some())
                parser.put_eof(ec);
            else
                ec = bhttp::error::end_of_stream;
            break;
        }
        auto n = std::min(chunk, bytes.size());
        auto dst = buffer.prepare(n);
        std::copy_n(bytes.data(), n, static_cast<char*>(dst.data()));
        buffer.commit(n);
        bytes.remove_prefix(n);
        got_bytes = true;
        for (;;) {
            auto used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (ec == bhttp::error::need_more) {
                ec = {};
                break;
            }
            if (ec || parser.is_done() || used == 0)
                break;
        }
        if (ec)
            break;
    }
    if (ec) {
        try {
            http::detail::fail_read({false, "fuzz.invalid", 80}, ec, got_bytes);
        } catch (const http::transport_error& e) {
            out.error = static_cast<http::errc>(e.code().value());
        }
        DDB_FUZZ_CHECK(out.error == http::errc::malformed_response ||
                       out.error == http::errc::response_too_large ||
                       out.error == http::errc::connection_closed);
        return out;
    }
    p.finish();
    for (std::size_t i = 0; i < out.res.field_count(); ++i)
        out.fields.emplace_back(out.res.field_name(i), out.res.field_value(i));
    return out;
}

using field_list = std::vector<std::pair<std::string, std::string>>;

// Fields stably ordered by lower-case name.
field_list by_name(field_list f) {
    auto lower = [](std::string s) {
        for (auto& c : s)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c + 32);
        return s;
    };
    std::stable_sort(f.begin(), f.end(),
                     [&](const auto& a, const auto& b) { return lower(a.first) < lower(b.first); });
    for (auto& [name, value] : f)
        name = lower(name);
    return f;
}

// What the client does with a complete response (its check step): the
// http layer's checks, and a service error for an error answer.
void client_checks(const http::raw_response& res) {
    try {
        http::check_crc32(res, "GetItem");
    } catch (const http::protocol_error& e) {
        DDB_FUZZ_CHECK(e.code() == http::errc::crc32_mismatch && e.transient());
        return;
    }
    std::string request_id(res["x-amzn-RequestId"]);
    if (res.status() != 200) {
        bool thrown = false;
        try {
            throw_service_error(res.status(), res["content-type"], res.body(), request_id,
                                "GetItem");
        } catch (const service_error&) {
            thrown = true;
        }
        DDB_FUZZ_CHECK(thrown);
        return;
    }
    try {
        auto answer = http::parse_json_body(res, {}, max_response_depth, "GetItem");
        DDB_FUZZ_CHECK(answer.is_object());
    } catch (const http::protocol_error& e) {
        DDB_FUZZ_CHECK(e.code() == http::errc::unparsable_body && !e.transient());
        DDB_FUZZ_CHECK(e.body_excerpt().size() <= 256);
    }
}

} // namespace

DDB_FUZZ_TARGET {
    const auto bytes = fuzz::text(data, size);
    const std::size_t limits[] = {http::pool_options{}.max_response_bytes, 256};
    for (std::size_t limit : limits) {
        outcome whole = read<transport_parser>(bytes, bytes.size() + 1, limit);
        outcome split = read<transport_parser>(bytes, 1, limit);
        outcome beast = read<beast_parser>(bytes, bytes.size() + 1, limit);
        // The transport's parser fails exactly when Beast's does.
        DDB_FUZZ_CHECK(whole.error.has_value() == beast.error.has_value());
        if (whole.error || split.error)
            continue;
        DDB_FUZZ_CHECK(whole.res.status() == split.res.status());
        DDB_FUZZ_CHECK(whole.res.body() == split.res.body());
        DDB_FUZZ_CHECK(whole.res.status() == beast.res.status());
        DDB_FUZZ_CHECK(whole.res.body() == beast.res.body());
        // Beast's container groups repeated names together; the transport
        // keeps arrival order. Same fields, same order within each name.
        DDB_FUZZ_CHECK(by_name(whole.fields) == by_name(beast.fields));
        client_checks(whole.res);
    }
    return 0;
}
