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
#include "get_records_events.hpp"

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

using model_detail::get_records_events::enum_from;
using model_detail::get_records_events::frame_head;
using model_detail::get_records_events::kind;
using model_detail::get_records_events::slot;

struct frame : frame_head {
    std::string key; // that name when it is not in the text as is (escapes)
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

// The handler: the shared walk of the answer (handler_base) building
// stream_records and their ddb::item images.
class handler : public model_detail::get_records_events::handler_base<handler, frame> {
public:
    explicit handler(unsigned max_depth)
        : handler_base(max_depth) {}

    void start(get_records_response& out, std::string_view text) {
        out_ = &out;
        begin(text);
    }

private:
    friend handler_base;

    std::vector<stream_record>& records() { return out_->records; }
    // The name stays where it is in the text; unescaped or given in parts,
    // it is in a buffer valid only now: copied.
    std::string_view map_name(frame& f, std::string_view k) {
        return in_input(k) ? k : std::string_view(f.key.assign(k));
    }
    // What a decode that gave up left.
    static void clear(frame& f) {
        switch (f.k) {
        case kind::map:
            f.map.clear();
            break;
        case kind::list:
            f.list.clear();
            break;
        case kind::set:
            f.texts.clear();
            f.numbers.clear();
            f.binaries.clear();
            break;
        default:
            break;
        }
    }
    bool string(std::string_view v, json::error_code& ec);
    bool record_string(frame& f, std::string_view v, json::error_code& ec);
    bool typed_string(frame& f, std::string_view v, json::error_code& ec);
    bool set_member(frame& f, std::string_view v, json::error_code& ec);
    template <class... A>
    bool deliver(json::error_code& ec, A&&... a);
    bool bool_value(json::error_code& ec, bool v) { return deliver(ec, v); }
    bool null_value(json::error_code& ec) { return deliver(ec); }
    bool end_map(json::error_code& ec);
    bool end_list(json::error_code& ec) {
        frame& f = top();
        --top_;
        return deliver(ec, exact(f.list));
    }
    bool end_set(json::error_code& ec);

    get_records_response* out_ = nullptr;
};

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

} // namespace

bool decode_text(std::string_view text, get_records_response& out, unsigned max_depth) {
    json::basic_parser<handler>& p =
        model_detail::get_records_events::thread_parser<handler>(max_depth);
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
