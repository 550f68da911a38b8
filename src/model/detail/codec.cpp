#include "codec.hpp"
#include "describe.hpp"

namespace ddb::model_detail {

std::string wire_name(std::string_view member) {
    if (!member.empty() && member.back() == '_')
        member.remove_suffix(1);
    std::string out;
    out.reserve(member.size());
    std::size_t start = 0;
    while (start <= member.size()) {
        std::size_t end = member.find('_', start);
        if (end == std::string_view::npos)
            end = member.size();
        std::string_view word = member.substr(start, end - start);
        if (word == "sse" || word == "gb") {
            for (char c : word)
                out.push_back(static_cast<char>(c - 'a' + 'A'));
        } else if (!word.empty()) {
            char first = word[0];
            out.push_back(first >= 'a' && first <= 'z' ? static_cast<char>(first - 'a' + 'A')
                                                       : first);
            out.append(word.substr(1));
        }
        start = end + 1;
    }
    return out;
}

std::string enum_wire_name(std::string_view enumerator) {
    std::string out(enumerator);
    for (char& c : out)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// Every type through Describe but get_records_response, whose records are
// decoded by hand (streams_codec.cpp): they come by the thousand and their
// wire names are not the model's PascalCase.
template <class T>
void encode_top(const T& v, boost::json::object& out) {
    encode_members(v, out);
}
void encode_top(const get_records_response& v, boost::json::object& out) {
    encode_get_records(v, out);
}
template <class T>
void decode_top(const boost::json::value& answer, T& out) {
    decode(answer, out);
}
void decode_top(const boost::json::value& answer, get_records_response& out) {
    decode_get_records(answer, out);
}

} // namespace ddb::model_detail

namespace ddb::model {

#define DDB_MODEL_WIRE_DEFINE(T)                                                                   \
    void encode(const T& v, boost::json::object& out) {                                            \
        model_detail::encode_top(v, out);                                                          \
    }                                                                                              \
    void decode(const boost::json::value& answer, T& out) {                                        \
        model_detail::decode_top(answer, out);                                                     \
    }
DDB_MODEL_WIRE_TYPES(DDB_MODEL_WIRE_DEFINE)
#undef DDB_MODEL_WIRE_DEFINE

#define DDB_MODEL_WIRE_ENUM_DEFINE(E)                                                              \
    std::string_view to_wire(E value) {                                                            \
        for (const auto& [e, name] : model_detail::enum_names<E>())                                \
            if (e == value)                                                                        \
                return name;                                                                       \
        return {};                                                                                 \
    }
DDB_MODEL_WIRE_ENUMS(DDB_MODEL_WIRE_ENUM_DEFINE)
#undef DDB_MODEL_WIRE_ENUM_DEFINE

} // namespace ddb::model
