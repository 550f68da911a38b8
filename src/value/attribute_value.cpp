#include <ddb/value/attribute_value.hpp>
#include <ddb/value/item.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <set>
#include <type_traits>
#include <utility>

namespace ddb {

namespace json = boost::json;

namespace {

constexpr std::string_view type_names[] = {"S",  "N", "B", "SS",   "NS",
                                           "BS", "M", "L", "NULL", "BOOL"};

// What makes two members of a set the same: the text, the number's value,
// the bytes.
const std::string& member_key(const std::string& s) {
    return s;
}
std::string member_key(const number& n) {
    return n.canonical();
}
const bytes& member_key(const bytes& b) {
    return b;
}
template <class T>
using member_key_t = std::decay_t<decltype(member_key(std::declval<const T&>()))>;

// Up to this many members, a set is checked for duplicates pairwise.
constexpr std::size_t small_set = 16;

template <class T>
void check_set(const std::vector<T>& members, std::string_view what) {
    if (members.empty())
        throw value_error(value_errc::empty_set, std::string(what) + " must not be empty");
    auto duplicate = [&] {
        throw value_error(value_errc::duplicate_set_member,
                          std::string(what) + " has a duplicate member");
    };
    // Small sets of texts or bytes (the usual tags) are compared pairwise:
    // no temporary tree of copied members for each decoded set.
    if constexpr (!std::is_same_v<T, number>) {
        if (members.size() <= small_set) {
            for (std::size_t i = 0; i < members.size(); ++i)
                for (std::size_t j = i + 1; j < members.size(); ++j)
                    if (members[i] == members[j])
                        duplicate();
            return;
        }
    }
    std::set<member_key_t<T>> seen;
    for (const auto& m : members)
        if (!seen.insert(member_key(m)).second)
            duplicate();
}

// The members of a set or list as a JSON array, each converted by `to`.
template <class Members, class To>
json::array json_array_of(const Members& members, To to) {
    json::array a;
    a.reserve(members.size());
    for (const auto& m : members)
        a.emplace_back(to(m));
    return a;
}

// The sum of `size(e)` over `range`.
template <class Range, class Size>
std::size_t total(const Range& range, Size size) {
    std::size_t n = 0;
    for (const auto& e : range)
        n += size(e);
    return n;
}

// Where a JSON value is, as a chain of frames on the decoder's stack:
// rendered ("Item.tags[2].SS") only when an error names it, so a valid
// item costs no path strings.
struct json_path {
    const json_path* parent = nullptr;
    std::string_view name; // the root's text, or a member's name
    std::size_t index = 0; // an element's index when `element`
    bool element = false;

    json_path member(std::string_view n) const { return {this, n, 0, false}; }
    json_path at(std::size_t i) const { return {this, {}, i, true}; }

    void append_to(std::string& out) const {
        if (!parent) {
            out.append(name);
            return;
        }
        parent->append_to(out);
        if (element)
            out.append("[").append(std::to_string(index)).append("]");
        else
            out.append(".").append(name);
    }
    std::string str() const {
        std::string s;
        append_to(s);
        return s;
    }
};

json_path root_path(std::string_view text) {
    return {nullptr, text, 0, false};
}

[[noreturn]] void bad_json(const json_path& path, std::string_view why) {
    throw value_error(value_errc::invalid_json, path.str() + ": " + std::string(why));
}

const json::string& string_of(const json::value& v, const json_path& path) {
    if (!v.is_string())
        bad_json(path, "expected a JSON string");
    return v.get_string();
}

const json::array& array_of(const json::value& v, const json_path& path) {
    if (!v.is_array())
        bad_json(path, "expected a JSON array");
    return v.get_array();
}

number number_at(const json::value& v, const json_path& path) {
    try {
        return number(std::string_view(string_of(v, path)));
    } catch (const value_error& e) {
        throw value_error(static_cast<value_errc>(e.code().value()), path.str() + ": " + e.what());
    }
}

bytes bytes_at(const json::value& v, const json_path& path) {
    try {
        return base64_decode(string_of(v, path));
    } catch (const value_error& e) {
        throw value_error(value_errc::invalid_base64, path.str() + ": " + e.what());
    }
}

// The members of a JSON set at `path`, each parsed by `parse(value, path)`.
template <class T, class Parse>
std::vector<T> members_of(const json::array& a, const json_path& path, Parse parse) {
    std::vector<T> members;
    members.reserve(a.size());
    for (const auto& e : a)
        members.push_back(parse(e, path));
    return members;
}

attribute_value value_at(const json::value& j, const json_path& path);
item item_at(const json::value& j, const json_path& path);

} // namespace

std::string base64_encode(const bytes& data) {
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                            static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bytes base64_decode(std::string_view text) {
    if (text.size() % 4 != 0)
        throw value_error(value_errc::invalid_base64, "base64 length is not a multiple of 4");
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool ok =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '/' ||
            (c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '='));
        if (!ok)
            throw value_error(value_errc::invalid_base64, "invalid base64 character");
    }
    bytes out(3 * text.size() / 4);
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0)
        throw value_error(value_errc::invalid_base64, "invalid base64");
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=')
        pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

attribute_value attribute_value::b(bytes v) {
    return attribute_value(set_tag{}, storage(std::in_place_index<2>, std::move(v)));
}

attribute_value attribute_value::ss(std::vector<std::string> members) {
    check_set(members, "string set");
    return attribute_value(set_tag{}, storage(std::in_place_index<3>, std::move(members)));
}

attribute_value attribute_value::ns(std::vector<number> members) {
    check_set(members, "number set");
    return attribute_value(set_tag{}, storage(std::in_place_index<4>, std::move(members)));
}

attribute_value attribute_value::bs(std::vector<bytes> members) {
    check_set(members, "binary set");
    return attribute_value(set_tag{}, storage(std::in_place_index<5>, std::move(members)));
}

std::string_view attribute_value::type_name() const noexcept {
    return type_names[v_.index()];
}

json::value attribute_value::to_json() const {
    json::object o;
    switch (type()) {
    case kind::S:
        o["S"] = as_s();
        break;
    case kind::N:
        o["N"] = as_n().str();
        break;
    case kind::B:
        o["B"] = base64_encode(as_b());
        break;
    case kind::SS:
        o["SS"] =
            json_array_of(as_ss(), [](const std::string& s) -> const std::string& { return s; });
        break;
    case kind::NS:
        o["NS"] =
            json_array_of(as_ns(), [](const number& n) -> const std::string& { return n.str(); });
        break;
    case kind::BS:
        o["BS"] = json_array_of(as_bs(), base64_encode);
        break;
    case kind::M:
        o["M"] = ddb::to_json(as_m());
        break;
    case kind::L:
        o["L"] = json_array_of(as_l(), [](const attribute_value& v) { return v.to_json(); });
        break;
    case kind::NULL_:
        o["NULL"] = true;
        break;
    case kind::BOOL:
        o["BOOL"] = as_bool();
        break;
    }
    return o;
}

attribute_value attribute_value::from_json(const json::value& j, std::string_view path) {
    return value_at(j, root_path(path));
}

namespace {

attribute_value value_at(const json::value& j, const json_path& path) {
    if (!j.is_object() || j.as_object().size() != 1)
        bad_json(path, "an AttributeValue is an object with exactly one type key");
    const auto& [key, v] = *j.get_object().begin();
    const json_path sub = path.member(key);
    if (key == "S")
        return attribute_value(std::string(string_of(v, sub)));
    if (key == "N")
        return attribute_value(number_at(v, sub));
    if (key == "B")
        return attribute_value::b(bytes_at(v, sub));
    if (key == "BOOL") {
        if (!v.is_bool())
            bad_json(sub, "expected true or false");
        return attribute_value(v.as_bool());
    }
    if (key == "NULL") {
        if (!v.is_bool() || !v.as_bool())
            bad_json(sub, "expected true");
        return attribute_value::null();
    }
    if (key == "M")
        return attribute_value(item_at(v, path));
    if (key == "L") {
        attribute_value::list_type l;
        const auto& a = array_of(v, sub);
        l.reserve(a.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            l.push_back(value_at(a[i], path.at(i)));
        return attribute_value(std::move(l));
    }
    if (key == "SS" || key == "NS" || key == "BS") {
        const auto& a = array_of(v, sub);
        auto text_at = [](const json::value& e, const json_path& p) {
            return std::string(string_of(e, p));
        };
        try {
            if (key == "SS")
                return attribute_value::ss(members_of<std::string>(a, sub, text_at));
            if (key == "NS")
                return attribute_value::ns(members_of<number>(a, sub, number_at));
            return attribute_value::bs(members_of<bytes>(a, sub, bytes_at));
        } catch (const value_error& e) {
            if (e.code() == value_errc::empty_set || e.code() == value_errc::duplicate_set_member)
                throw value_error(static_cast<value_errc>(e.code().value()),
                                  sub.str() + ": " + e.what());
            throw;
        }
    }
    bad_json(path, "unknown AttributeValue type '" + std::string(key) + "'");
}

} // namespace

std::size_t attribute_value::size() const {
    // 1 byte + 1 per two significant digits (AWS docs), + 1 for a negative
    // number (as dynalite, reverse-engineered from DynamoDB, counts it): an
    // estimate must never be below the server's.
    auto number_size = [](const number& n) {
        std::size_t sign =
            !n.str().empty() && n.str()[0] == '-' && n.significant_digits() > 0 ? 1 : 0;
        return 1 + (static_cast<std::size_t>(n.significant_digits()) + 1) / 2 + sign;
    };
    switch (type()) {
    case kind::S:
        return as_s().size();
    case kind::N:
        return number_size(as_n());
    case kind::B:
        return as_b().size();
    case kind::SS:
        return total(as_ss(), [](const std::string& s) { return s.size(); });
    case kind::NS:
        return total(as_ns(), number_size);
    case kind::BS:
        return total(as_bs(), [](const bytes& b) { return b.size(); });
    case kind::M:
        return 3 +
               total(as_m(), [](const auto& kv) { return 1 + kv.first.size() + kv.second.size(); });
    case kind::L:
        return 3 + total(as_l(), [](const attribute_value& v) { return 1 + v.size(); });
    case kind::NULL_:
    case kind::BOOL:
        return 1;
    }
    return 0;
}

bool operator==(const attribute_value& a, const attribute_value& b) {
    if (a.type() != b.type())
        return false;
    using kind = attribute_value::kind;
    auto same_set = [](const auto& x, const auto& y) {
        if (x.size() != y.size())
            return false;
        using key = member_key_t<typename std::decay_t<decltype(x)>::value_type>;
        std::vector<key> kx, ky;
        for (auto& e : x)
            kx.push_back(member_key(e));
        for (auto& e : y)
            ky.push_back(member_key(e));
        std::sort(kx.begin(), kx.end());
        std::sort(ky.begin(), ky.end());
        return kx == ky;
    };
    switch (a.type()) {
    case kind::SS:
        return same_set(a.as_ss(), b.as_ss());
    case kind::NS:
        return same_set(a.as_ns(), b.as_ns());
    case kind::BS:
        return same_set(a.as_bs(), b.as_bs());
    default:
        return a.v_ == b.v_;
    }
}

std::size_t item_size(const item& it) {
    return total(it, [](const auto& kv) { return kv.first.size() + kv.second.size(); });
}

json::object to_json(const item& it) {
    json::object o;
    o.reserve(it.size());
    for (auto& [k, v] : it)
        o.emplace(k, v.to_json());
    return o;
}

namespace {

item item_at(const json::value& j, const json_path& path) {
    if (!j.is_object())
        bad_json(path, "expected a JSON object of attributes");
    item it;
    for (const auto& [k, v] : j.get_object())
        it.emplace(std::string(k), value_at(v, path.member(k)));
    return it;
}

} // namespace

item item_from_json(const json::value& j, std::string_view path) {
    return item_at(j, root_path(path));
}

std::vector<item> items_from_page(std::string_view page_json) {
    // One arena for the whole DOM, sized from the text (DOMs are a small
    // multiple of their JSON); dropped at once when the items are built.
    json::monotonic_resource arena(page_json.size() * 2 + 4096);
    json::error_code ec;
    json::value page = json::parse(page_json, ec, &arena);
    if (ec)
        throw value_error(value_errc::invalid_json, "page is not JSON: " + ec.message());
    if (!page.is_object())
        bad_json(root_path("page"), "expected a JSON object");
    std::vector<item> items;
    auto* array = page.as_object().if_contains("Items");
    if (!array)
        return items;
    if (!array->is_array())
        bad_json(root_path("Items"), "expected an array");
    items.reserve(array->as_array().size());
    const json_path items_path = root_path("Items");
    std::size_t i = 0;
    for (auto& v : array->as_array())
        items.push_back(item_at(v, items_path.at(i++)));
    return items;
}

} // namespace ddb
