#include <ddb/es/event_codec.hpp>

namespace ddb::es::codec_detail {

std::string_view kind_name(const boost::json::value& v) noexcept {
    switch (v.kind()) {
    case boost::json::kind::null:
        return "null";
    case boost::json::kind::bool_:
        return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
        return "number";
    case boost::json::kind::string:
        return "string";
    case boost::json::kind::array:
        return "array";
    case boost::json::kind::object:
        return "object";
    }
    return "value";
}

std::string where(std::string_view path) {
    return path.empty() ? std::string("(the properties)") : std::string(path);
}

void mismatch(std::string_view path, std::string_view expected, const boost::json::value& found) {
    failed(path, "expected " + std::string(expected) + ", found " + std::string(kind_name(found)));
}

void failed(std::string_view path, const std::string& why) {
    throw event_error(event_errc::properties_mismatch, where(path) + ": " + why);
}

} // namespace ddb::es::codec_detail
