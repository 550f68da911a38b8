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

// What the next value of a keyed container is (or, in an AttributeValue
// object, which type it has).
enum class slot : std::uint8_t {
    none,
    skip, // a member nobody reads: its value is skipped, whatever it is
    records,
    next_iterator,
    change,
    event_name,
    event_id,
    event_version,
    event_source,
    aws_region,
    identity,
    keys,
    new_image,
    old_image,
    sequence_number,
    size_bytes,
    view_type,
    creation_time,
    principal_id,
    identity_type,
    attribute, // a member of an item: an AttributeValue object
    S,
    N,
    B,
    BOOL,
    NULL_,
    M,
    L,
    SS,
    NS,
    BS,
};

enum class kind : std::uint8_t {
    document, // before the answer: only an object is taken
    top,      // the answer
    records,  // Records: [...]
    record,   // one record
    change,   // its "dynamodb" (StreamRecord)
    identity, // its "userIdentity"
    map,      // an item: Keys, NewImage, OldImage or an M value
    value,    // an AttributeValue object {"<type>": ...}
    list,     // an L value's array
    set,      // an SS, NS or BS value's array
    skip,     // inside a skipped object or array
};

struct frame {
    kind k = kind::top;
    slot next = slot::none;   // the value expected next (in `value`: its type)
    slot target = slot::none; // a map's destination; a set's type
    bool done = false;        // a `value` has its value; a `record` its "dynamodb"
    std::uint64_t seen = 0;   // known members met (a duplicate gives up)
    int depth = 0;            // a `skip` frame's open containers
    std::string_view name;    // a map's pending attribute name (in the text or the arena)
    // A map's, list's or set's members so far; kept from call to call
    // (their capacity), copied into the page's arena at the container's end.
    std::vector<attribute_view> kids;
};

constexpr std::uint64_t bit(slot s) {
    return std::uint64_t{1} << static_cast<unsigned>(s);
}

// The member names of the containers the decoder knows, and their slots.
struct member {
    std::string_view name;
    slot s;
};
constexpr member top_members[] = {{"Records", slot::records},
                                  {"NextShardIterator", slot::next_iterator}};
constexpr member record_members[] = {
    {"dynamodb", slot::change},          {"eventName", slot::event_name},
    {"eventID", slot::event_id},         {"eventVersion", slot::event_version},
    {"eventSource", slot::event_source}, {"awsRegion", slot::aws_region},
    {"userIdentity", slot::identity}};
constexpr member change_members[] = {{"Keys", slot::keys},
                                     {"NewImage", slot::new_image},
                                     {"OldImage", slot::old_image},
                                     {"SequenceNumber", slot::sequence_number},
                                     {"SizeBytes", slot::size_bytes},
                                     {"StreamViewType", slot::view_type},
                                     {"ApproximateCreationDateTime", slot::creation_time}};
constexpr member identity_members[] = {{"PrincipalId", slot::principal_id},
                                       {"Type", slot::identity_type}};

// An AttributeValue's type key, or `none`.
slot type_of(std::string_view k) {
    if (k.size() == 1) {
        switch (k[0]) {
        case 'S':
            return slot::S;
        case 'N':
            return slot::N;
        case 'B':
            return slot::B;
        case 'M':
            return slot::M;
        case 'L':
            return slot::L;
        default:
            return slot::none;
        }
    }
    if (k == "SS")
        return slot::SS;
    if (k == "NS")
        return slot::NS;
    if (k == "BS")
        return slot::BS;
    if (k == "BOOL")
        return slot::BOOL;
    return k == "NULL" ? slot::NULL_ : slot::none;
}

template <std::size_t N>
slot find(const member (&members)[N], std::string_view name, slot otherwise) {
    for (const member& m : members)
        if (m.name == name)
            return m.s;
    return otherwise;
}

template <class E>
E enum_from(std::string_view text) {
    for (const auto& [e, wire] : enum_names<E>())
        if (wire == text)
            return e;
    return E::unknown;
}

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

class handler {
public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    explicit handler(unsigned max_depth)
        : frames_(max_depth + 2) {}

    void start(get_records_page::state& out) {
        out_ = &out;
        input_ = out.text;
        top_ = -1;
        push(kind::document);
        text_.clear();
    }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_comment_part(json::string_view, json::error_code& ec) { return give_up(ec); }
    bool on_comment(json::string_view, json::error_code& ec) { return give_up(ec); }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        text_.append(s.data(), s.size());
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        text_.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
        return with_text(s, [&](std::string_view k) { return key(k, ec); });
    }
    bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
        return with_text(s, [&](std::string_view v) { return string(v, ec); });
    }
    bool on_object_begin(json::error_code& ec);
    bool on_object_end(std::size_t, json::error_code& ec);
    bool on_array_begin(json::error_code& ec);
    bool on_array_end(std::size_t, json::error_code& ec);
    bool on_int64(std::int64_t v, json::string_view, json::error_code& ec);
    bool on_uint64(std::uint64_t v, json::string_view, json::error_code& ec);
    bool on_double(double v, json::string_view, json::error_code& ec);
    bool on_bool(bool v, json::error_code& ec);
    bool on_null(json::error_code& ec);

private:
    static bool give_up(json::error_code& ec) {
        ec = json::error::syntax; // any code: the caller only sees "not decoded"
        return false;
    }
    template <class F>
    bool with_text(json::string_view last, F f) {
        if (text_.empty())
            return f(std::string_view(last.data(), last.size()));
        text_.append(last.data(), last.size());
        const bool ok = f(std::string_view(text_));
        text_.clear();
        return ok;
    }
    frame& top() { return frames_[static_cast<std::size_t>(top_)]; }
    frame& push(kind k, slot target = slot::none) {
        frame& f = frames_[static_cast<std::size_t>(++top_)];
        f.k = k;
        f.next = slot::none;
        f.target = target;
        f.done = false;
        f.seen = 0;
        f.depth = k == kind::skip ? 1 : 0;
        f.kids.clear(); // (what a decode that gave up left)
        return f;
    }
    stream_record_view& record() { return out_->records.back(); }
    static bool skipped_scalar(frame& f) {
        if (f.next != slot::skip)
            return false;
        f.next = slot::none;
        return true;
    }
    // `v` where it stays valid: in the page's text, or copied into its arena
    // (an unescaped string is in a buffer of the parser's or ours).
    std::string_view keep(std::string_view v) {
        const bool in_input =
            std::less_equal<>()(input_.data(), v.data()) &&
            std::less_equal<>()(v.data() + v.size(), input_.data() + input_.size());
        return in_input ? v : out_->copy(v);
    }
    bool known_key(frame& f, slot s, json::error_code& ec) {
        if (s != slot::skip && (f.seen & bit(s)))
            return give_up(ec);
        f.seen |= bit(s);
        f.next = s;
        return true;
    }
    bool key(std::string_view k, json::error_code& ec);
    bool string(std::string_view v, json::error_code& ec);
    bool record_string(frame& f, std::string_view v, json::error_code& ec);
    bool typed_string(frame& f, std::string_view v, json::error_code& ec);
    bool set_member(frame& f, std::string_view v, json::error_code& ec);
    bool deliver(json::error_code& ec, attribute_view v);
    item_view kept(frame& f) {
        return item_view({out_->copy(f.kids.data(), f.kids.size()), f.kids.size()});
    }
    bool end_map(json::error_code& ec);
    bool end_set(json::error_code& ec);
    bool time(frame& f, double seconds, json::error_code& ec);
    // The bytes of base64 `v` in the arena, or nothing when not base64.
    std::optional<attribute_view> binary(std::string_view v);

    std::vector<frame> frames_;
    int top_ = -1;
    std::string text_; // a string or key given in parts
    std::string_view input_;
    get_records_page::state* out_ = nullptr;
    std::vector<std::string_view> scratch_; // duplicate checks of large containers
};

bool handler::key(std::string_view k, json::error_code& ec) {
    frame& f = top();
    switch (f.k) {
    case kind::top:
        return known_key(f, find(top_members, k, slot::skip), ec);
    case kind::record:
        return known_key(f, find(record_members, k, slot::skip), ec);
    case kind::change:
        return known_key(f, find(change_members, k, slot::skip), ec);
    case kind::identity:
        return known_key(f, find(identity_members, k, slot::skip), ec);
    case kind::map:
        f.name = keep(k);
        f.next = slot::attribute;
        return true;
    case kind::value:
        if (f.next != slot::none || f.done)
            return give_up(ec); // more than one type key
        f.next = type_of(k);
        return f.next != slot::none || give_up(ec);
    case kind::skip:
        return true;
    default:
        return give_up(ec);
    }
}

bool handler::on_object_begin(json::error_code& ec) {
    frame& f = top();
    switch (f.k) {
    case kind::document:
        push(kind::top);
        return true;
    case kind::skip:
        ++f.depth;
        return true;
    case kind::records:
        out_->records.emplace_back();
        push(kind::record);
        return true;
    case kind::list:
        push(kind::value);
        return true;
    case kind::value:
        if (f.next != slot::M || f.done)
            return give_up(ec);
        push(kind::map, slot::M);
        return true;
    case kind::set:
        return give_up(ec);
    default:
        break;
    }
    const slot s = f.next;
    f.next = slot::none;
    switch (s) {
    case slot::skip:
        push(kind::skip);
        return true;
    case slot::change:
        f.done = true; // the record has its "dynamodb"
        push(kind::change);
        return true;
    case slot::identity:
        record().user_identity.emplace();
        push(kind::identity);
        return true;
    case slot::keys:
    case slot::new_image:
    case slot::old_image:
        push(kind::map, s);
        return true;
    case slot::attribute:
        push(kind::value);
        return true;
    default:
        return give_up(ec);
    }
}

bool handler::on_object_end(std::size_t, json::error_code& ec) {
    frame& f = top();
    switch (f.k) {
    case kind::skip:
        if (--f.depth == 0)
            --top_;
        return true;
    case kind::record:
        --top_;
        return f.done || give_up(ec); // "dynamodb: missing"
    case kind::change:
        --top_;
        return !record().sequence_number.empty() || give_up(ec); // "SequenceNumber: missing"
    case kind::map:
        return end_map(ec);
    case kind::value:
        --top_;
        return f.done || give_up(ec); // {} or a type without its value
    default:                          // top, identity
        --top_;
        return true;
    }
}

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

bool handler::on_array_begin(json::error_code& ec) {
    frame& f = top();
    if (f.k == kind::skip) {
        ++f.depth;
        return true;
    }
    if (f.k == kind::value && !f.done) {
        if (f.next == slot::L) {
            push(kind::list);
            return true;
        }
        if (f.next == slot::SS || f.next == slot::NS || f.next == slot::BS) {
            push(kind::set, f.next);
            return true;
        }
        return give_up(ec);
    }
    if (f.k == kind::top && f.next == slot::records) {
        f.next = slot::none;
        out_->records.clear();
        out_->records.reserve(std::min<std::size_t>(1000, input_.size() / 256));
        push(kind::records);
        return true;
    }
    if (f.k != kind::value && f.next == slot::skip) {
        f.next = slot::none;
        push(kind::skip);
        return true;
    }
    return give_up(ec);
}

bool handler::on_array_end(std::size_t, json::error_code& ec) {
    frame& f = top();
    switch (f.k) {
    case kind::skip:
        if (--f.depth == 0)
            --top_;
        return true;
    case kind::list: {
        --top_;
        const item_view l = kept(f);
        return deliver(ec, view_maker::make(vkind::L, {}, l.begin(), l.size()));
    }
    case kind::set:
        return end_set(ec);
    default: // records
        --top_;
        return true;
    }
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

bool handler::time(frame& f, double seconds, json::error_code& ec) {
    f.next = slot::none;
    auto t = model_detail::stream_time(seconds);
    if (!t)
        return give_up(ec);
    record().approximate_creation_time = *t;
    return true;
}

bool handler::on_int64(std::int64_t v, json::string_view, json::error_code& ec) {
    frame& f = top();
    if (f.k == kind::skip || (f.k != kind::value && skipped_scalar(f)))
        return true;
    if (f.k == kind::change && f.next == slot::size_bytes) {
        f.next = slot::none;
        record().size_bytes = v;
        return true;
    }
    if (f.k == kind::change && f.next == slot::creation_time)
        return time(f, static_cast<double>(v), ec);
    return give_up(ec);
}

bool handler::on_uint64(std::uint64_t v, json::string_view, json::error_code& ec) {
    frame& f = top();
    if (f.k == kind::skip || (f.k != kind::value && skipped_scalar(f)))
        return true;
    if (f.k == kind::change && f.next == slot::creation_time)
        return time(f, static_cast<double>(v), ec);
    return give_up(ec);
}

bool handler::on_double(double v, json::string_view, json::error_code& ec) {
    frame& f = top();
    if (f.k == kind::skip || (f.k != kind::value && skipped_scalar(f)))
        return true;
    if (f.k == kind::change && f.next == slot::creation_time)
        return time(f, v, ec);
    return give_up(ec);
}

bool handler::on_bool(bool v, json::error_code& ec) {
    frame& f = top();
    if (f.k == kind::skip || (f.k != kind::value && skipped_scalar(f)))
        return true;
    if (f.k != kind::value || f.done)
        return give_up(ec);
    if (f.next == slot::BOOL)
        return deliver(ec, view_maker::make(vkind::BOOL, {}, nullptr, 0, v));
    if (f.next == slot::NULL_ && v)
        return deliver(ec, view_maker::make(vkind::NULL_, {}, nullptr, 0));
    return give_up(ec);
}

bool handler::on_null(json::error_code& ec) {
    frame& f = top();
    switch (f.k) {
    case kind::skip:
        return true;
    case kind::top:
    case kind::record:
    case kind::change:
    case kind::identity:
        f.next = slot::none; // a null member is as good as an absent one
        return true;
    default:
        return give_up(ec);
    }
}

// One parser per thread, reused call after call. Decoding calls no user
// code, so a call cannot re-enter it on the same thread.
struct reusable {
    explicit reusable(unsigned max_depth)
        : depth(max_depth)
        , parser(options(max_depth), max_depth) {}
    static json::parse_options options(unsigned max_depth) {
        json::parse_options o;
        o.max_depth = max_depth;
        return o;
    }
    unsigned depth;
    json::basic_parser<handler> parser;
};

} // namespace

bool decode_page(std::string_view text, get_records_page& out, unsigned max_depth) {
    thread_local std::optional<reusable> mine;
    if (!mine || mine->depth != max_depth)
        mine.emplace(max_depth);
    json::basic_parser<handler>& p = mine->parser;
    p.reset();
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
