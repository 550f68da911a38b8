// Internal: how the transport reads a response (parser and limits) and
// judges a failed read; shared with the fuzz target of response heads.
#pragma once

#include <ddb/http/integrity.hpp>
#include <ddb/http/message.hpp>

#include "failure.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/optional.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ddb::http::detail {

using response_parser = boost::beast::http::response_parser<boost::beast::http::string_body>;

/// Beast's HTTP/1.1 response parsing (limits, chunked bodies, keep-alive
/// rules) into a raw_response: no fields container, no allocation per field.
/// What the transport reads every response with.
class raw_parser final : public boost::beast::http::basic_parser<false> {
public:
    explicit raw_parser(raw_response& r)
        : r_(r) {}

private:
    raw_response& r_;

    void on_request_impl(boost::beast::http::verb, boost::beast::string_view,
                         boost::beast::string_view, int, boost::beast::error_code& ec) override {
        ec = boost::beast::http::error::bad_version; // never called for a response parser
    }
    void on_response_impl(int code, boost::beast::string_view reason, int version,
                          boost::beast::error_code&) override {
        r_.set_status(static_cast<unsigned>(code), {reason.data(), reason.size()}, version);
    }
    void on_field_impl(boost::beast::http::field, boost::beast::string_view name,
                       boost::beast::string_view value, boost::beast::error_code&) override {
        r_.add_field({name.data(), name.size()}, {value.data(), value.size()});
    }
    void on_header_impl(boost::beast::error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                           boost::beast::error_code&) override {
        // (basic_parser has checked the length against the body limit.)
        if (length)
            r_.body().reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code&) override {
        r_.body().append(body.data(), body.size());
        return body.size();
    }
    void on_chunk_header_impl(std::uint64_t, boost::beast::string_view,
                              boost::beast::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                   boost::beast::error_code&) override {
        r_.body().append(body.data(), body.size());
        return body.size();
    }
    void on_finish_impl(boost::beast::error_code&) override {}
};

/// The limits every response is read under: a body of at most
/// `max_response_bytes`, a head of at most that or 1 MiB, whichever is less.
void limit_response(boost::beast::http::basic_parser<false>& p, std::size_t max_response_bytes);

using http::crc32_matches; // <ddb/http/integrity.hpp>

} // namespace ddb::http::detail
