#include <ddb/http/message.hpp>

#include <charconv>

namespace ddb::http {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x == y)
            continue;
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

// Beast's prepare_payload: a request announces its length when it has a
// body, or when its method gives an empty body a meaning.
bool announces_length(const request_view& req) noexcept {
    return !req.body.empty() || req.method == "POST" || req.method == "PUT" ||
           req.method == "OPTIONS";
}

} // namespace

void render_head(const request_view& req, std::string& out) {
    out.append(req.method).push_back(' ');
    out.append(req.target.empty() ? std::string_view("/") : req.target);
    out.append(" HTTP/1.1\r\n");
    for (const auto& f : req.headers)
        out.append(f.name).append(": ").append(f.value).append("\r\n");
    if (announces_length(req)) {
        char digits[24];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, req.body.size());
        out.append("Content-Length: ").append(digits, end).append("\r\n");
    }
    out.append("\r\n");
}

std::string_view raw_response::operator[](std::string_view name) const noexcept {
    for (std::size_t i = 0; i < fields_.size(); ++i)
        if (iequals(field_name(i), name))
            return field_value(i);
    return {};
}

bool raw_response::has(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < fields_.size(); ++i)
        if (iequals(field_name(i), name))
            return true;
    return false;
}

void raw_response::clear() noexcept {
    status_ = 0;
    version_ = 11;
    reason_size_ = 0;
    text_.clear();
    fields_.clear();
    body_.clear();
}

void raw_response::set_status(unsigned status, std::string_view reason, int version) {
    status_ = status;
    version_ = version;
    text_.clear();
    fields_.clear();
    if (text_.capacity() < 512)
        text_.reserve(512);
    text_.append(reason);
    reason_size_ = reason.size();
}

void raw_response::add_field(std::string_view name, std::string_view value) {
    if (fields_.capacity() == 0)
        fields_.reserve(16);
    auto at = static_cast<std::uint32_t>(text_.size());
    text_.append(name).append(value);
    fields_.push_back({at, static_cast<std::uint32_t>(name.size()),
                       at + static_cast<std::uint32_t>(name.size()),
                       static_cast<std::uint32_t>(value.size())});
}

} // namespace ddb::http
