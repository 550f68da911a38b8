// ddb — what crosses the transport seam: a request to send, the response read.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::http {

/// One header field of a request, as it goes on the wire.
struct header_field {
    std::string_view name;
    std::string_view value; ///< one line: no CR, LF or NUL (the caller checks)
};

/// A request as a transport sends it: method, target, header fields and
/// body. A view: what it points to must stay valid until the send completes.
struct request_view {
    std::string_view method = "POST";
    std::string_view target = "/"; ///< the path (and query) on the request line
    /// Sent in this order. Content-Length is not among them: rendering adds
    /// it from the body (see `render_head`).
    std::span<const header_field> headers;
    std::string_view body;
};

/// Appends the HTTP/1.1 head of `req` to `out`: the request line, the header
/// fields, `Content-Length` (as Beast's `prepare_payload` decides: when the
/// body is not empty, or the method is POST, PUT or OPTIONS) and the empty
/// line that ends the head.
void render_head(const request_view& req, std::string& out);

/// A response as a transport reads it: the status, the header fields as
/// views into one buffer (no allocation per field), and the body.
class raw_response {
public:
    unsigned status() const noexcept { return status_; }
    /// The first field named `name` (case-insensitive); empty when absent.
    std::string_view operator[](std::string_view name) const noexcept;
    /// Whether a field named `name` is present.
    bool has(std::string_view name) const noexcept;
    /// Every field, in the order received.
    std::size_t field_count() const noexcept { return fields_.size(); }
    std::string_view field_name(std::size_t i) const noexcept {
        return {text_.data() + fields_[i].name_at, fields_[i].name_size};
    }
    std::string_view field_value(std::size_t i) const noexcept {
        return {text_.data() + fields_[i].value_at, fields_[i].value_size};
    }
    std::string_view reason() const noexcept { return {text_.data(), reason_size_}; }
    int version() const noexcept { return version_; }
    std::string& body() noexcept { return body_; }
    const std::string& body() const noexcept { return body_; }

    void clear() noexcept;
    void set_status(unsigned status, std::string_view reason, int version);
    void add_field(std::string_view name, std::string_view value);

private:
    struct field {
        std::uint32_t name_at, name_size, value_at, value_size;
    };
    unsigned status_ = 0;
    int version_ = 11;
    std::size_t reason_size_ = 0;
    std::string text_; // the reason phrase, then each field's name and value
    std::vector<field> fields_;
    std::string body_;
};

} // namespace ddb::http
