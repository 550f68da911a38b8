// GetRecords' answer as Boost.JSON basic_parser (SAX) events: what the text
// decoder (get_records_parser.cpp, owning records) and the page decoder
// (get_records_page_parser.cpp, views) share. The answer's shape (the
// members each container knows, the frames of the stack, AttributeValue
// type keys) and `handler_base`, the half of a handler that walks that shape
// and gives up where both do; each decoder adds what it builds.
//
// Internal: included by those two files only.
#pragma once

#include "codec.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/string.hpp>
#include <boost/json/string_view.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::model_detail::get_records_events {

namespace json = boost::json;

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

// What every frame of the stack has; each decoder's frame adds its
// container's members so far.
struct frame_head {
    kind k = kind::top;
    slot next = slot::none;   // the value expected next (in `value`: its type)
    slot target = slot::none; // a map's destination; a set's type
    bool done = false;        // a `value` has its value; a `record` its "dynamodb"
    std::uint64_t seen = 0;   // known members met (a duplicate gives up)
    int depth = 0;            // a `skip` frame's open containers
    std::string_view name;    // a map's pending attribute name (where it stays valid)
};

constexpr std::uint64_t bit(slot s) {
    return std::uint64_t{1} << static_cast<unsigned>(s);
}

// The member names of the containers the decoders know, and their slots.
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
inline slot type_of(std::string_view k) {
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

// The shared half of a decoder's handler (CRTP): the frame stack, the
// answer's members, records and skipped values, numbers and nulls. Every
// callback returns false (with `ec` set) to give up. `Derived` (a friend)
// gives:
//   records()              its vector of records (of stream_record or views)
//   map_name(f, k)         a map's member name `k`, where it stays valid
//   clear(f)               empties a frame just pushed (what a decode that gave up left)
//   string(v, ec)          a string value
//   end_map/end_list/end_set(ec)   a container's end (its frame is the top)
//   bool_value(ec, v), null_value(ec)   an AttributeValue's BOOL, its NULL's true
// Not thread safe: one per parser, one parser per thread.
template <class Derived, class Frame>
class handler_base {
public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    explicit handler_base(unsigned max_depth)
        : frames_(max_depth + 2) {}

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
        return with_text(s, [&](std::string_view v) { return derived().string(v, ec); });
    }
    [[gnu::noinline]] bool on_object_begin(json::error_code& ec);
    [[gnu::noinline]] bool on_object_end(std::size_t, json::error_code& ec);
    bool on_array_begin(json::error_code& ec);
    bool on_array_end(std::size_t, json::error_code& ec);
    bool on_int64(std::int64_t v, json::string_view, json::error_code& ec);
    bool on_uint64(std::uint64_t v, json::string_view, json::error_code& ec);
    bool on_double(double v, json::string_view, json::error_code& ec);
    bool on_bool(bool v, json::error_code& ec);
    bool on_null(json::error_code& ec);

protected:
    // Ready for the answer `input` (the text the parser reads).
    void begin(std::string_view input) {
        input_ = input;
        top_ = -1;
        push(kind::document);
        text_.clear();
    }
    static bool give_up(json::error_code& ec) {
        ec = json::error::syntax; // any code: the caller only sees "not decoded"
        return false;
    }
    Frame& top() { return frames_[static_cast<std::size_t>(top_)]; }
    // (Inlined: it is on every value's path.)
    [[gnu::always_inline]] Frame& push(kind k, slot target = slot::none) {
        Frame& f = frames_[static_cast<std::size_t>(++top_)];
        f.k = k;
        f.next = slot::none;
        f.target = target;
        f.done = false;
        f.seen = 0;
        f.depth = k == kind::skip ? 1 : 0;
        derived().clear(f);
        return f;
    }
    auto& record() { return derived().records().back(); }
    // Whether the keyed frame `f` takes a scalar for its pending member:
    // skipped members and nulls (the tree decoder ignores null members).
    static bool skipped_scalar(Frame& f) {
        if (f.next != slot::skip)
            return false;
        f.next = slot::none;
        return true;
    }
    // Whether `v` lies in the answer's text (else in a buffer of the
    // parser's or ours, valid only during the call).
    bool in_input(std::string_view v) const noexcept {
        return std::less_equal<>()(input_.data(), v.data()) &&
               std::less_equal<>()(v.data() + v.size(), input_.data() + input_.size());
    }

    std::vector<Frame> frames_;
    int top_ = -1;
    std::string text_; // a string or key given in parts
    std::string_view input_;

private:
    Derived& derived() { return static_cast<Derived&>(*this); }
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
    bool known_key(Frame& f, slot s, json::error_code& ec) {
        if (s != slot::skip && (f.seen & bit(s)))
            return give_up(ec);
        f.seen |= bit(s);
        f.next = s;
        return true;
    }
    // The end of a skipped container (of one inside it while `depth` > 1).
    bool end_skipped(Frame& f) {
        if (--f.depth == 0)
            --top_;
        return true;
    }
    [[gnu::noinline]] bool key(std::string_view k, json::error_code& ec);
    bool keyed_object(Frame& f, json::error_code& ec);
    bool time(Frame& f, double seconds, json::error_code& ec);
};

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::key(std::string_view k, json::error_code& ec) {
    Frame& f = top();
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
        f.name = derived().map_name(f, k);
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

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_object_begin(json::error_code& ec) {
    Frame& f = top();
    switch (f.k) {
    case kind::document:
        push(kind::top);
        return true;
    case kind::skip:
        ++f.depth;
        return true;
    case kind::records:
        derived().records().emplace_back();
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
        return keyed_object(f, ec);
    }
}

// An object as the pending member of a keyed frame (top, record, change,
// identity, map).
template <class Derived, class Frame>
bool handler_base<Derived, Frame>::keyed_object(Frame& f, json::error_code& ec) {
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

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_object_end(std::size_t, json::error_code& ec) {
    Frame& f = top();
    switch (f.k) {
    case kind::skip:
        return end_skipped(f);
    case kind::record:
        --top_;
        return f.done || give_up(ec); // "dynamodb: missing"
    case kind::change:
        --top_;
        return !record().sequence_number.empty() || give_up(ec); // "SequenceNumber: missing"
    case kind::map:
        return derived().end_map(ec);
    case kind::value:
        --top_;
        return f.done || give_up(ec); // {} or a type without its value
    default:                          // top, identity
        --top_;
        return true;
    }
}

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_array_begin(json::error_code& ec) {
    Frame& f = top();
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
        auto& records = derived().records();
        records.clear();
        // No growth by doubling (moves, and large blocks freed): a record
        // takes more than 256 bytes of text; at most 1,000 per page.
        records.reserve(std::min<std::size_t>(1000, input_.size() / 256));
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

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_array_end(std::size_t, json::error_code& ec) {
    Frame& f = top();
    switch (f.k) {
    case kind::skip:
        return end_skipped(f);
    case kind::list:
        return derived().end_list(ec);
    case kind::set:
        return derived().end_set(ec);
    default: // records
        --top_;
        return true;
    }
}

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::time(Frame& f, double seconds, json::error_code& ec) {
    f.next = slot::none;
    auto t = stream_time(seconds);
    if (!t)
        return give_up(ec);
    record().approximate_creation_time = *t;
    return true;
}

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_int64(std::int64_t v, json::string_view,
                                            json::error_code& ec) {
    Frame& f = top();
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

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_uint64(std::uint64_t v, json::string_view,
                                             json::error_code& ec) {
    // (a SizeBytes above INT64_MAX: the tree decoder names it)
    return on_double(static_cast<double>(v), {}, ec);
}

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_double(double v, json::string_view, json::error_code& ec) {
    Frame& f = top();
    if (f.k == kind::skip || (f.k != kind::value && skipped_scalar(f)))
        return true;
    if (f.k == kind::change && f.next == slot::creation_time)
        return time(f, v, ec);
    return give_up(ec); // (a SizeBytes as a double: the tree decoder decides)
}

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_bool(bool v, json::error_code& ec) {
    Frame& f = top();
    if (f.k == kind::skip || (f.k != kind::value && skipped_scalar(f)))
        return true;
    if (f.k != kind::value || f.done)
        return give_up(ec);
    if (f.next == slot::BOOL)
        return derived().bool_value(ec, v);
    if (f.next == slot::NULL_ && v)
        return derived().null_value(ec);
    return give_up(ec);
}

template <class Derived, class Frame>
bool handler_base<Derived, Frame>::on_null(json::error_code& ec) {
    Frame& f = top();
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

// This thread's parser with a `Handler` for documents nested `max_depth`
// deep, reset: one parser per thread, reused call after call (its stack and
// the frames' buffers stay allocated). Decoding calls no user code, so a call
// cannot re-enter it on the same thread.
template <class Handler>
json::basic_parser<Handler>& thread_parser(unsigned max_depth) {
    struct reusable {
        explicit reusable(unsigned depth)
            : depth(depth)
            , parser(options(depth), depth) {}
        static json::parse_options options(unsigned depth) {
            json::parse_options o;
            o.max_depth = depth;
            return o;
        }
        unsigned depth;
        json::basic_parser<Handler> parser;
    };
    thread_local std::optional<reusable> mine;
    if (!mine || mine->depth != max_depth)
        mine.emplace(max_depth);
    mine->parser.reset();
    return mine->parser;
}

} // namespace ddb::model_detail::get_records_events
