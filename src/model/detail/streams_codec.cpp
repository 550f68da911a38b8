// GetRecords' answer by hand: its records carry camelCase wire names
// (eventID, eventName, dynamodb, userIdentity) that the Describe codec does
// not derive, and a page holds up to 1,000 of them, so each record's object
// is walked once, member by member, instead of looked up field by field.
#include "codec.hpp"
#include "describe.hpp"

#include <ddb/value/error.hpp>

#include <cmath>

namespace ddb::model_detail {

namespace json = boost::json;

namespace {

// Where a field is: the record's index and the object within it ("" for
// the record itself, "dynamodb", "userIdentity"). Rendered
// ("Records[3].dynamodb") only when a field is bad, so a valid page builds
// no path strings.
struct where {
    std::size_t record = 0;
    std::string_view object;

    std::string str() const {
        std::string s = "Records[" + std::to_string(record) + "]";
        if (!object.empty())
            s.append(".").append(object);
        return s;
    }
    std::string at(std::string_view name) const { return str().append(".").append(name); }
};

[[noreturn]] void fail(const where& parent, std::string_view name, const char* problem) {
    throw field_error{parent.at(name), problem};
}

void checked_string(const json::value& v, std::string& out, const where& parent,
                    std::string_view name) {
    if (!v.is_string())
        fail(parent, name, "not a string");
    const json::string& s = v.get_string();
    out.assign(s.data(), s.size());
}

template <class E>
E enum_of(const json::value& v, const where& parent, std::string_view name) {
    if (!v.is_string())
        fail(parent, name, "not a string");
    for (const auto& [e, wire] : enum_names<E>())
        if (wire == v.get_string())
            return e;
    return E::unknown;
}

// An image or the keys; a bad attribute value names its path
// ("Records[3].dynamodb.NewImage.n.N"). The item is decoded under `name`
// alone and the record's part is put in front only on error.
item image_of(const json::value& v, const where& parent, std::string_view name) {
    try {
        return item_from_json(v, name);
    } catch (const value_error& e) {
        const std::string_view what = e.what();
        const auto colon = what.find(": ");
        if (colon == std::string_view::npos)
            throw field_error{parent.at(name), std::string(what)};
        throw field_error{parent.at(what.substr(0, colon)), std::string(what.substr(colon + 2))};
    }
}

std::chrono::system_clock::time_point time_of(const json::value& v, const where& parent,
                                              std::string_view name) {
    if (!v.is_number())
        fail(parent, name, "not a number");
    auto t = stream_time(v.to_number<double>());
    if (!t)
        fail(parent, name, "not a time in seconds since the epoch");
    return *t;
}

// The StreamRecord ("dynamodb") of the record at `parent`.
void decode_change(const json::value& v, stream_record& r, const where& parent) {
    const std::string_view self = "dynamodb";
    if (!v.is_object())
        fail(parent, self, "not an object");
    const where path{parent.record, self};
    bool has_sequence = false;
    for (const auto& kv : v.get_object()) {
        const std::string_view k = kv.key();
        const json::value& f = kv.value();
        if (f.is_null())
            continue;
        if (k == "Keys")
            r.keys = image_of(f, path, k);
        else if (k == "NewImage")
            r.new_image = image_of(f, path, k);
        else if (k == "OldImage")
            r.old_image = image_of(f, path, k);
        else if (k == "SequenceNumber") {
            checked_string(f, r.sequence_number, path, k);
            has_sequence = !r.sequence_number.empty();
        } else if (k == "SizeBytes") {
            boost::system::error_code ec;
            r.size_bytes = f.to_number<std::int64_t>(ec);
            if (ec)
                fail(path, k, "not an integer");
        } else if (k == "StreamViewType")
            r.stream_view_type = enum_of<stream_view_type>(f, path, k);
        else if (k == "ApproximateCreationDateTime")
            r.approximate_creation_time = time_of(f, path, k);
    }
    if (!has_sequence)
        fail(path, "SequenceNumber", "missing");
}

void decode_identity(const json::value& v, stream_record& r, const where& parent) {
    const std::string_view self = "userIdentity";
    if (!v.is_object())
        fail(parent, self, "not an object");
    const where path{parent.record, self};
    stream_identity id;
    for (const auto& kv : v.get_object()) {
        if (kv.value().is_null())
            continue;
        if (kv.key() == "PrincipalId")
            checked_string(kv.value(), id.principal_id, path, kv.key());
        else if (kv.key() == "Type")
            checked_string(kv.value(), id.type, path, kv.key());
    }
    r.user_identity = std::move(id);
}

void decode_record(const json::value& v, stream_record& r, std::size_t index) {
    const where path{index, {}};
    if (!v.is_object())
        throw field_error{path.str(), "not an object"};
    bool has_change = false;
    for (const auto& kv : v.get_object()) {
        const std::string_view k = kv.key();
        const json::value& f = kv.value();
        if (f.is_null())
            continue;
        if (k == "dynamodb") {
            decode_change(f, r, path);
            has_change = true;
        } else if (k == "eventName")
            r.event_name = enum_of<stream_event_name>(f, path, k);
        else if (k == "eventID")
            checked_string(f, r.event_id, path, k);
        else if (k == "eventVersion")
            checked_string(f, r.event_version, path, k);
        else if (k == "eventSource")
            checked_string(f, r.event_source, path, k);
        else if (k == "awsRegion")
            checked_string(f, r.aws_region, path, k);
        else if (k == "userIdentity")
            decode_identity(f, r, path);
    }
    if (!has_change)
        fail(path, "dynamodb", "missing");
}

json::value seconds_json(std::chrono::system_clock::time_point t) {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    if (us % 1000000 == 0)
        return json::value(static_cast<std::int64_t>(us / 1000000));
    return json::value(static_cast<double>(us) / 1e6);
}

json::object record_json(const stream_record& r) {
    json::object change;
    change["ApproximateCreationDateTime"] = seconds_json(r.approximate_creation_time);
    change["Keys"] = to_json(r.keys);
    if (r.new_image)
        change["NewImage"] = to_json(*r.new_image);
    if (r.old_image)
        change["OldImage"] = to_json(*r.old_image);
    change["SequenceNumber"] = r.sequence_number;
    change["SizeBytes"] = r.size_bytes;
    if (r.stream_view_type != stream_view_type::unknown)
        change["StreamViewType"] = encode(r.stream_view_type);
    json::object o;
    o["eventID"] = r.event_id;
    if (r.event_name != stream_event_name::unknown)
        o["eventName"] = encode(r.event_name);
    o["eventVersion"] = r.event_version;
    o["eventSource"] = r.event_source;
    o["awsRegion"] = r.aws_region;
    o["dynamodb"] = std::move(change);
    if (r.user_identity)
        o["userIdentity"] = json::object{{"PrincipalId", r.user_identity->principal_id},
                                         {"Type", r.user_identity->type}};
    return o;
}

} // namespace

std::optional<std::chrono::system_clock::time_point> stream_time(double seconds) {
    // system_clock counts nanoseconds in 64 bits (to the year 2262): 9e9 s
    // (the year 2255) is the last time it holds, with margin.
    if (!std::isfinite(seconds) || std::fabs(seconds) > 9e9)
        return std::nullopt;
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(seconds)));
}

void decode_get_records(const json::value& answer, get_records_response& out) {
    if (!answer.is_object())
        throw field_error{"", "not an object"};
    const json::object& o = answer.get_object();
    if (const json::value* next = o.if_contains("NextShardIterator"); next && !next->is_null()) {
        if (!next->is_string())
            throw field_error{"NextShardIterator", "not a string"};
        out.next_shard_iterator.emplace(next->get_string());
    }
    const json::value* records = o.if_contains("Records");
    if (!records || records->is_null())
        return;
    if (!records->is_array())
        throw field_error{"Records", "not an array"};
    const json::array& a = records->get_array();
    out.records.clear();
    out.records.resize(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        decode_record(a[i], out.records[i], i);
}

void encode_get_records(const get_records_response& v, json::object& out) {
    json::array records;
    records.reserve(v.records.size());
    for (const auto& r : v.records)
        records.push_back(record_json(r));
    out["Records"] = std::move(records);
    if (v.next_shard_iterator)
        out["NextShardIterator"] = *v.next_shard_iterator;
}

} // namespace ddb::model_detail
