// get_records_page's decoder: GetRecords' answer text decoded into views
// (stream_record_view, item_view) by a Boost.JSON basic_parser (SAX)
// handler, as get_records_parser.cpp decodes it into owning records, but
// with no allocation per value: strings and numbers without escapes stay in
// the page's copy of the text, the rest (unescaped strings, decoded bytes,
// each container's attribute array, copied at its end) goes into the page's
// arena. The parser and its frames (with their arrays' capacity) are kept
// per thread.
//
// It gives up exactly where the text decoder does (and validates values as
// `attribute_value` does: numbers, base64, sets' members and duplicates,
// NULL's true, duplicate names); the caller then runs the tree decoder,
// which decodes the answer or names the problem, and makes the page from
// that (`page_of`). tests/support/streams_differential.hpp checks that what
// it decodes is what the tree decoder gives.
#include <ddb/model/get_records_page.hpp>

#include "codec.hpp"
#include "describe.hpp"
#include "get_records_events.hpp"
#include "view_maker.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>

namespace ddb::model {

namespace {

namespace json = boost::json;
using model_detail::enum_names;
using model_detail::view_maker;
using vkind = attribute_value::kind;

using model_detail::get_records_events::enum_from;
using model_detail::get_records_events::frame_head;
using model_detail::get_records_events::kind;
using model_detail::get_records_events::slot;

struct frame : frame_head {
    // A map's, list's or set's members so far; kept from call to call
    // (their capacity), copied into the page's arena at the container's end.
    std::vector<attribute_view> kids;
};

// ---- values, validated as attribute_value validates them -------------------

// Whether `v` is surely a valid DynamoDB number without parsing it: an
// optional '-', digits with at most one '.', at most 38 characters (so at
// most 38 significant digits and a magnitude well inside 1E-130..1E126).
// Anything else is checked by `number` itself.
bool plain_number(std::string_view v) noexcept {
    std::size_t i = !v.empty() && v[0] == '-' ? 1 : 0;
    if (v.size() > 38 || i == v.size())
        return false;
    bool digit = false, point = false;
    for (; i < v.size(); ++i) {
        if (v[i] >= '0' && v[i] <= '9')
            digit = true;
        else if (v[i] == '.' && !point)
            point = true;
        else
            return false;
    }
    return digit;
}

bool valid_number(std::string_view v) {
    if (plain_number(v))
        return true;
    try {
        number n(v);
        return true;
    } catch (const value_error&) {
        return false;
    }
}

// Whether two texts of a plain integer form ("12", "-3", not "012", "-0",
// "1.0") are equal exactly when their numbers are: then text comparison
// finds a number set's duplicates.
bool canonical_integer(std::string_view v) noexcept {
    const std::size_t i = !v.empty() && v[0] == '-' ? 1 : 0;
    if (i == v.size() || v.find('.') != std::string_view::npos)
        return false;
    return v[i] != '0' || (v.size() == 1);
}

// As base64_decode checks it: a multiple of 4, the standard alphabet,
// '=' only as the last one or two characters.
bool valid_base64(std::string_view text) noexcept {
    if (text.size() % 4 != 0)
        return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool ok =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '/' ||
            (c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '='));
        if (!ok)
            return false;
    }
    return true;
}

// Whether two of `views` have the same key (names, texts or bytes):
// pairwise for a few, else sorted in `scratch`.
template <class Key>
bool any_same(const std::vector<attribute_view>& views, std::vector<std::string_view>& scratch,
              Key key) {
    const std::size_t n = views.size();
    if (n <= 16) {
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j)
                if (key(views[i]) == key(views[j]))
                    return true;
        return false;
    }
    scratch.clear();
    for (const attribute_view& v : views)
        scratch.push_back(key(v));
    std::sort(scratch.begin(), scratch.end());
    return std::adjacent_find(scratch.begin(), scratch.end()) != scratch.end();
}

std::string_view bytes_key(const attribute_view& v) {
    auto b = v.as_b();
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// A number set's members are unique by value (as attribute_value::ns checks).
bool unique_numbers(const std::vector<attribute_view>& views,
                    std::vector<std::string_view>& scratch) {
    if (any_same(views, scratch, [](const attribute_view& v) { return v.as_n(); }))
        return false; // the same text: the same number
    if (std::all_of(views.begin(), views.end(),
                    [](const attribute_view& v) { return canonical_integer(v.as_n()); }))
        return true;
    std::vector<number> members;
    members.reserve(views.size());
    for (const attribute_view& v : views)
        members.emplace_back(v.as_n());
    try {
        attribute_value::ns(std::move(members));
        return true;
    } catch (const value_error&) {
        return false;
    }
}

// ---- the handler: returns false (with `ec` set) to give up -----------------

// The shared walk of the answer (handler_base) building the page's views.
class handler : public model_detail::get_records_events::handler_base<handler, frame> {
public:
    explicit handler(unsigned max_depth)
        : handler_base(max_depth) {}

    void start(get_records_page::state& out) {
        out_ = &out;
        begin(out.text);
    }

private:
    friend handler_base;

    std::vector<stream_record_view>& records() { return out_->records; }
    std::string_view map_name(frame&, std::string_view k) { return keep(k); }
    static void clear(frame& f) { f.kids.clear(); } // (what a decode that gave up left)
    // `v` where it stays valid: in the page's text, or copied into its arena
    // (an unescaped string is in a buffer of the parser's or ours).
    std::string_view keep(std::string_view v) {
        const bool in_input =
            std::less_equal<>()(input_.data(), v.data()) &&
            std::less_equal<>()(v.data() + v.size(), input_.data() + input_.size());
        return in_input ? v : out_->copy(v);
    }
    bool string(std::string_view v, json::error_code& ec);
    bool record_string(frame& f, std::string_view v, json::error_code& ec);
    bool typed_string(frame& f, std::string_view v, json::error_code& ec);
    bool set_member(frame& f, std::string_view v, json::error_code& ec);
    bool deliver(json::error_code& ec, attribute_view v);
    bool bool_value(json::error_code& ec, bool v) {
        return deliver(ec, view_maker::make(vkind::BOOL, {}, nullptr, 0, v));
    }
    bool null_value(json::error_code& ec) {
        return deliver(ec, view_maker::make(vkind::NULL_, {}, nullptr, 0));
    }
    item_view kept(frame& f) {
        return item_view({out_->copy(f.kids.data(), f.kids.size()), f.kids.size()});
    }
    bool end_map(json::error_code& ec);
    bool end_list(json::error_code& ec) {
        frame& f = top();
        --top_;
        const item_view l = kept(f);
        return deliver(ec, view_maker::make(vkind::L, {}, l.begin(), l.size()));
    }
    bool end_set(json::error_code& ec);
    // The bytes of base64 `v` in the arena, or nothing when not base64.
    std::optional<attribute_view> binary(std::string_view v);

    get_records_page::state* out_ = nullptr;
    std::vector<std::string_view> scratch_; // duplicate checks of large containers
};

bool handler::end_map(json::error_code& ec) {
    frame& f = top();
    --top_;
    if (any_same(f.kids, scratch_, [](const attribute_view& v) { return v.name(); }))
        return give_up(ec); // a duplicate name
    const item_view m = kept(f);
    switch (f.target) {
    case slot::keys:
        record().keys = m;
        return true;
    case slot::new_image:
        record().new_image.emplace(m);
        return true;
    case slot::old_image:
        record().old_image.emplace(m);
        return true;
    default: // an M value
        return deliver(ec, view_maker::make(vkind::M, {}, m.begin(), m.size()));
    }
}

// A whole AttributeValue, added to the map or list around its object.
bool handler::deliver(json::error_code&, attribute_view v) {
    frame& f = top(); // the value's object
    f.done = true;
    frame& parent = frames_[static_cast<std::size_t>(top_ - 1)];
    if (parent.k != kind::list) {
        view_maker::rename(v, parent.name);
        parent.next = slot::none;
    }
    parent.kids.push_back(v);
    return true;
}

bool handler::end_set(json::error_code& ec) {
    frame& f = top();
    --top_;
    if (f.kids.empty())
        return give_up(ec);
    bool unique = false;
    vkind k = vkind::SS;
    switch (f.target) {
    case slot::SS:
        unique = !any_same(f.kids, scratch_, [](const attribute_view& v) { return v.as_s(); });
        break;
    case slot::NS:
        k = vkind::NS;
        unique = unique_numbers(f.kids, scratch_);
        break;
    default:
        k = vkind::BS;
        unique = !any_same(f.kids, scratch_, bytes_key);
        break;
    }
    if (!unique)
        return give_up(ec);
    const item_view members = kept(f);
    return deliver(ec, view_maker::make(k, {}, members.begin(), members.size()));
}

bool handler::string(std::string_view v, json::error_code& ec) {
    frame& f = top();
    switch (f.k) {
    case kind::skip:
        return true;
    case kind::value:
        return typed_string(f, v, ec);
    case kind::set:
        return set_member(f, v, ec);
    case kind::top:
        if (skipped_scalar(f))
            return true;
        if (f.next != slot::next_iterator)
            return give_up(ec);
        f.next = slot::none;
        out_->next_iterator = keep(v);
        return true;
    case kind::record:
    case kind::change:
    case kind::identity:
        return skipped_scalar(f) || record_string(f, v, ec);
    default:
        return give_up(ec);
    }
}

bool handler::record_string(frame& f, std::string_view v, json::error_code& ec) {
    stream_record_view& r = record();
    const slot s = f.next;
    f.next = slot::none;
    switch (s) {
    case slot::event_name:
        r.event_name = enum_from<stream_event_name>(v);
        return true;
    case slot::event_id:
        r.event_id = keep(v);
        return true;
    case slot::event_version:
        r.event_version = keep(v);
        return true;
    case slot::event_source:
        r.event_source = keep(v);
        return true;
    case slot::aws_region:
        r.aws_region = keep(v);
        return true;
    case slot::sequence_number:
        r.sequence_number = keep(v);
        return true;
    case slot::view_type:
        r.stream_view_type = enum_from<stream_view_type>(v);
        return true;
    case slot::principal_id:
        r.user_identity->principal_id = keep(v);
        return true;
    case slot::identity_type:
        r.user_identity->type = keep(v);
        return true;
    default:
        return give_up(ec);
    }
}

std::optional<attribute_view> handler::binary(std::string_view v) {
    if (!valid_base64(v))
        return std::nullopt;
    if (v.empty())
        return view_maker::make(vkind::B, {}, nullptr, 0);
    auto* out = static_cast<unsigned char*>(out_->allocate(3 * v.size() / 4, 1));
    const int n = EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(v.data()),
                                  static_cast<int>(v.size()));
    if (n < 0)
        return std::nullopt;
    const std::size_t pad = v.back() != '=' ? 0 : v[v.size() - 2] == '=' ? 2 : 1;
    return view_maker::make(vkind::B, {}, out, static_cast<std::size_t>(n) - pad);
}

bool handler::typed_string(frame& f, std::string_view v, json::error_code& ec) {
    if (f.done)
        return give_up(ec);
    switch (f.next) {
    case slot::S: {
        const std::string_view s = keep(v);
        return deliver(ec, view_maker::make(vkind::S, {}, s.data(), s.size()));
    }
    case slot::N: {
        if (!valid_number(v))
            return give_up(ec);
        const std::string_view s = keep(v);
        return deliver(ec, view_maker::make(vkind::N, {}, s.data(), s.size()));
    }
    case slot::B: {
        auto b = binary(v);
        return b ? deliver(ec, *b) : give_up(ec);
    }
    default:
        return give_up(ec);
    }
}

bool handler::set_member(frame& f, std::string_view v, json::error_code& ec) {
    switch (f.target) {
    case slot::SS: {
        const std::string_view s = keep(v);
        f.kids.push_back(view_maker::make(vkind::S, {}, s.data(), s.size()));
        return true;
    }
    case slot::NS: {
        if (!valid_number(v))
            return give_up(ec);
        const std::string_view s = keep(v);
        f.kids.push_back(view_maker::make(vkind::N, {}, s.data(), s.size()));
        return true;
    }
    default: {
        auto b = binary(v);
        if (!b)
            return give_up(ec);
        f.kids.push_back(*b);
        return true;
    }
    }
}

} // namespace

bool decode_page(std::string_view text, get_records_page& out, unsigned max_depth) {
    json::basic_parser<handler>& p =
        model_detail::get_records_events::thread_parser<handler>(max_depth);
    out = get_records_page();
    get_records_page::state& s = view_maker::state_of(out);
    s.text.assign(text);
    // The views of a page take a little more than its text: one block.
    s.next_block = text.size() + text.size() / 8;
    p.handler().start(s);
    json::error_code ec;
    std::size_t n = 0;
    try {
        n = p.write_some(false, s.text.data(), s.text.size(), ec);
    } catch (...) {
        p.reset();
        out = get_records_page();
        throw; // out of memory: as the tree decoder would
    }
    if (ec || n != text.size() || !p.done()) {
        out = get_records_page();
        return false;
    }
    return true;
}

} // namespace ddb::model
