// GetRecords' answer decoded straight from its text: a Boost.JSON
// basic_parser (SAX) whose handler builds the stream_records and their
// ddb::item images as the events arrive, without the json::value tree (no
// DOM build, no arena for it). The parser and its frame stack are kept per
// thread and reused by every call.
//
// It is a fast path beside the tree decoder (streams_codec.cpp), not a
// second definition of the format: whatever it is not sure to decode exactly
// as the tree decoder does (invalid JSON, a wrong type anywhere, a missing
// field, a duplicate key, a bad number, set or base64 text, a number where
// it expects an integer, trailing text) makes it give up, and the caller
// parses the tree and runs the tree decoder, which decodes it or names the
// problem precisely. tests/client/streams_fast_decode.cpp checks both agree.
#include "codec.hpp"
#include "describe.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>

namespace ddb::model {

namespace {

namespace json = boost::json;
using model_detail::enum_names;

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
    std::string_view name;    // a map's pending attribute name (in the text or `key`)
    std::string key;          // that name when it is not in the text as is (escapes)
    item map;
    // An L's or set's members so far; kept from call to call (their
    // capacity), the value built with exactly its size at the end.
    attribute_value::list_type list;
    std::vector<std::string> texts;
    std::vector<number> numbers;
    std::vector<bytes> binaries;
};

// `scratch`'s elements moved into a vector of exactly their number.
template <class T>
std::vector<T> exact(std::vector<T>& scratch) {
    std::vector<T> out;
    out.reserve(scratch.size());
    std::move(scratch.begin(), scratch.end(), std::back_inserter(out));
    scratch.clear();
    return out;
}

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

// The handler: returns false (with `ec` set) to give up.
class handler {
public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    explicit handler(unsigned max_depth)
        : frames_(max_depth + 2) {}

    void start(get_records_response& out, std::string_view text) {
        out_ = &out;
        input_ = text;
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
    // A string or key given whole, or the end of one given in parts.
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
        if (k == kind::map)
            f.map.clear(); // what a decode that gave up left
        return f;
    }
    stream_record& record() { return out_->records.back(); }
    // Whether the keyed frame `f` takes a scalar for its pending member:
    // skipped members and nulls (the tree decoder ignores null members).
    static bool skipped_scalar(frame& f) {
        if (f.next != slot::skip)
            return false;
        f.next = slot::none;
        return true;
    }
    bool key(std::string_view k, json::error_code& ec);
    // Whether `v` lies in the answer's text (else in a buffer of the
    // parser's or ours, valid only during the call).
    bool in_input(std::string_view v) const noexcept {
        return std::less_equal<>()(input_.data(), v.data()) &&
               std::less_equal<>()(v.data() + v.size(), input_.data() + input_.size());
    }
    bool known_key(frame& f, slot s, json::error_code& ec) {
        if (s != slot::skip && (f.seen & bit(s)))
            return give_up(ec);
        f.seen |= bit(s);
        f.next = s;
        return true;
    }
    bool string(std::string_view v, json::error_code& ec);
    bool record_string(frame& f, std::string_view v, json::error_code& ec);
    bool typed_string(frame& f, std::string_view v, json::error_code& ec);
    bool set_member(frame& f, std::string_view v, json::error_code& ec);
    template <class... A>
    bool deliver(json::error_code& ec, A&&... a);
    bool end_map(json::error_code& ec);
    bool end_set(json::error_code& ec);
    bool time(frame& f, double seconds, json::error_code& ec);

    std::vector<frame> frames_;
    int top_ = -1;
    std::string text_; // a string or key given in parts
    std::string_view input_;
    get_records_response* out_ = nullptr;
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
        // The name stays where it is in the text; unescaped or given in
        // parts, it is in a buffer valid only now: copied.
        f.name = in_input(k) ? k : std::string_view(f.key.assign(k));
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
    switch (f.target) {
    case slot::keys:
        record().keys = std::move(f.map);
        break;
    case slot::new_image:
        record().new_image.emplace(std::move(f.map));
        break;
    case slot::old_image:
        record().old_image.emplace(std::move(f.map));
        break;
    default: // an M value
        return deliver(ec, std::move(f.map));
    }
    f.map.clear();
    return true;
}

// A whole AttributeValue, built from `a` in place in the map or list around
// its object.
template <class... A>
bool handler::deliver(json::error_code& ec, A&&... a) {
    frame& f = top(); // the value's object
    f.done = true;
    frame& parent = frames_[static_cast<std::size_t>(top_ - 1)];
    if (parent.k == kind::list) {
        parent.list.emplace_back(std::forward<A>(a)...);
        return true;
    }
    parent.next = slot::none;
    return parent.map
               .emplace(std::piecewise_construct, std::forward_as_tuple(parent.name),
                        std::forward_as_tuple(std::forward<A>(a)...))
               .second ||
           give_up(ec); // a duplicate name
}

bool handler::on_array_begin(json::error_code& ec) {
    frame& f = top();
    if (f.k == kind::skip) {
        ++f.depth;
        return true;
    }
    if (f.k == kind::value && !f.done) {
        if (f.next == slot::L) {
            push(kind::list).list.clear(); // (what a decode that gave up left)
            return true;
        }
        if (f.next == slot::SS || f.next == slot::NS || f.next == slot::BS) {
            frame& s = push(kind::set, f.next);
            s.texts.clear();
            s.numbers.clear();
            s.binaries.clear();
            return true;
        }
        return give_up(ec);
    }
    if (f.k == kind::top && f.next == slot::records) {
        f.next = slot::none;
        out_->records.clear();
        // No growth by doubling (moves, and large blocks freed): a record
        // takes more than 256 bytes of text; at most 1,000 per page.
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
    case kind::list:
        --top_;
        return deliver(ec, exact(f.list));
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
    try {
        switch (f.target) {
        case slot::SS:
            return deliver(ec, attribute_value::ss(exact(f.texts)));
        case slot::NS:
            return deliver(ec, attribute_value::ns(exact(f.numbers)));
        default:
            return deliver(ec, attribute_value::bs(exact(f.binaries)));
        }
    } catch (const value_error&) {
        return give_up(ec); // empty, or a duplicate member
    }
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
        out_->next_shard_iterator.emplace(v);
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
    stream_record& r = record();
    const slot s = f.next;
    f.next = slot::none;
    switch (s) {
    case slot::event_name:
        r.event_name = enum_from<stream_event_name>(v);
        return true;
    case slot::event_id:
        r.event_id.assign(v);
        return true;
    case slot::event_version:
        r.event_version.assign(v);
        return true;
    case slot::event_source:
        r.event_source.assign(v);
        return true;
    case slot::aws_region:
        r.aws_region.assign(v);
        return true;
    case slot::sequence_number:
        r.sequence_number.assign(v);
        return true;
    case slot::view_type:
        r.stream_view_type = enum_from<stream_view_type>(v);
        return true;
    case slot::principal_id:
        r.user_identity->principal_id.assign(v);
        return true;
    case slot::identity_type:
        r.user_identity->type.assign(v);
        return true;
    default:
        return give_up(ec);
    }
}

bool handler::typed_string(frame& f, std::string_view v, json::error_code& ec) {
    if (f.done)
        return give_up(ec);
    try {
        switch (f.next) {
        case slot::S:
            return deliver(ec, v);
        case slot::N:
            return deliver(ec, number(v));
        case slot::B:
            return deliver(ec, attribute_value::b(base64_decode(v)));
        default:
            return give_up(ec);
        }
    } catch (const value_error&) {
        return give_up(ec); // not a number, not base64
    }
}

bool handler::set_member(frame& f, std::string_view v, json::error_code& ec) {
    try {
        switch (f.target) {
        case slot::SS:
            f.texts.emplace_back(v);
            return true;
        case slot::NS:
            f.numbers.emplace_back(v);
            return true;
        default:
            f.binaries.push_back(base64_decode(v));
            return true;
        }
    } catch (const value_error&) {
        return give_up(ec);
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
    return give_up(ec); // (a SizeBytes above INT64_MAX: the tree decoder names it)
}

bool handler::on_double(double v, json::string_view, json::error_code& ec) {
    frame& f = top();
    if (f.k == kind::skip || (f.k != kind::value && skipped_scalar(f)))
        return true;
    if (f.k == kind::change && f.next == slot::creation_time)
        return time(f, v, ec);
    return give_up(ec); // (a SizeBytes as a double: the tree decoder decides)
}

bool handler::on_bool(bool v, json::error_code& ec) {
    frame& f = top();
    if (f.k == kind::skip || (f.k != kind::value && skipped_scalar(f)))
        return true;
    if (f.k != kind::value || f.done)
        return give_up(ec);
    if (f.next == slot::BOOL)
        return deliver(ec, v);
    if (f.next == slot::NULL_ && v)
        return deliver(ec);
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

// One parser per thread, reused call after call (its stack and the frames'
// buffers stay allocated). Decoding calls no user code, so a call cannot
// re-enter it on the same thread.
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

bool decode_text(std::string_view text, get_records_response& out, unsigned max_depth) {
    thread_local std::optional<reusable> mine;
    if (!mine || mine->depth != max_depth)
        mine.emplace(max_depth);
    json::basic_parser<handler>& p = mine->parser;
    p.reset();
    p.handler().start(out, text);
    json::error_code ec;
    std::size_t n = 0;
    try {
        n = p.write_some(false, text.data(), text.size(), ec);
    } catch (...) {
        p.reset();
        out = {};
        throw; // out of memory: as the tree decoder would
    }
    if (ec || n != text.size() || !p.done()) {
        out = {};
        return false;
    }
    return true;
}

} // namespace ddb::model
