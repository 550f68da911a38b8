#include "event_item.hpp"

#include "../../core/sha256.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/event_metadata.hpp>
#include <ddb/es/partition.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

namespace ddb::es::detail {

namespace json = boost::json;
using std::chrono::microseconds;
using std::chrono::system_clock;

void check_layout_options(const store_config& config) {
    if (config.partitions < 1 || config.partitions > max_partitions)
        throw es_error(es_errc::invalid_argument,
                       "store_config.partitions must be 1 to " + std::to_string(max_partitions));
    if (config.bucket.count() < 1)
        throw es_error(es_errc::invalid_argument, "store_config.bucket must be >= 1 hour");
}

std::int64_t bucket_width(const store_config& config) {
    // ids are microseconds x 1000 (see id_generator.hpp).
    return std::chrono::duration_cast<microseconds>(config.bucket).count() * 1000;
}

std::int64_t bucket_of(std::int64_t id, const store_config& config) {
    return id / bucket_width(config);
}

std::string global_key(std::int64_t bucket, int partition) {
    return std::to_string(bucket) + "#" + std::to_string(partition);
}

std::string global_key(const stored_event& e, const store_config& config) {
    return global_key(bucket_of(e.id, config), index_partition(e, config.partitions));
}

std::vector<int> partitions_to_read(const std::vector<int>& wanted, int count) {
    std::vector<int> out;
    if (wanted.empty()) {
        for (int p = 0; p < count; ++p)
            out.push_back(p);
        return out;
    }
    for (int p : wanted)
        if (p < 0 || p >= count)
            throw es_error(es_errc::invalid_argument,
                           "read_options.partitions: " + std::to_string(p) +
                               " is not a partition of this store (it has " +
                               std::to_string(count) + ": 0 to " + std::to_string(count - 1) + ")");
    out = wanted;
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string partition_of(const std::optional<std::string>& uuid, std::int64_t id) {
    return uuid ? *uuid : "$e#" + std::to_string(id);
}

void check_uuid(std::string_view uuid) {
    if (uuid.empty())
        throw es_error(es_errc::invalid_aggregate_uuid, "aggregate uuid is empty");
    if (uuid[0] == '$')
        throw es_error(es_errc::invalid_aggregate_uuid,
                       "aggregate uuid \"" + std::string(uuid) +
                           "\" starts with '$' (reserved for the store's own items)");
    if (uuid.size() > 1024)
        throw es_error(es_errc::invalid_aggregate_uuid, "aggregate uuid is longer than 1024 bytes");
    for (unsigned char ch : uuid)
        if (ch < 0x20 || ch == 0x7f)
            throw es_error(es_errc::invalid_aggregate_uuid,
                           "aggregate uuid has a control character");
}

stored_event make_stored_event(std::int64_t id, const std::optional<std::string>& uuid,
                               std::int64_t version, new_event e, system_clock::time_point now) {
    if (e.event_class.empty())
        throw es_error(es_errc::invalid_argument, "an event needs an event_class");
    if (e.event_version < 1)
        throw es_error(es_errc::invalid_argument, "event_version starts at 1");
    stored_event s;
    s.id = id;
    s.aggregate_uuid = uuid;
    s.aggregate_version = version;
    s.event_version = e.event_version;
    s.event_class = std::move(e.event_class);
    s.event_properties = std::move(e.properties);
    s.meta_data = std::move(e.meta_data);
    s.created_at = std::chrono::time_point_cast<microseconds>(now);
    if (e.expires_at)
        s.expires_at = std::chrono::time_point_cast<std::chrono::seconds>(*e.expires_at);
    s.meta_data[meta::created_at] = format_timestamp(s.created_at);
    s.meta_data[meta::stored_event_id] = s.id;
    if (uuid) {
        s.meta_data[meta::aggregate_root_uuid] = *uuid;
        s.meta_data[meta::aggregate_root_version] = version;
    }
    return s;
}

bool same_event(const stored_event& ours, const stored_event& stored) {
    if (ours.id != stored.id || ours.aggregate_uuid != stored.aggregate_uuid ||
        ours.aggregate_version != stored.aggregate_version ||
        ours.event_version != stored.event_version || ours.event_class != stored.event_class ||
        ours.expires_at != stored.expires_at)
        return false;
    // As text: the stored side went through JSON text once.
    if (json::serialize(ours.event_properties) != json::serialize(stored.event_properties))
        return false;
    auto a = ours.meta_data;
    auto b = stored.meta_data;
    a.erase(meta::created_at);
    b.erase(meta::created_at);
    return json::serialize(a) == json::serialize(b);
}

std::vector<stored_event> stored_prefix(std::span<const stored_event> ours, std::int64_t base,
                                        std::vector<stored_event> there) {
    for (const auto& t : there) {
        const auto i = t.aggregate_version - base - 1;
        for (std::size_t j = 0; j < ours.size(); ++j)
            if (ours[j].id == t.id &&
                (static_cast<std::int64_t>(j) != i || !same_event(ours[j], t)))
                throw_id_taken(t);
    }
    std::vector<stored_event> out;
    for (std::size_t i = 0; i < there.size() && i < ours.size(); ++i) {
        if (there[i].aggregate_version != base + 1 + static_cast<std::int64_t>(i) ||
            there[i].id != ours[i].id)
            break;
        out.push_back(std::move(there[i]));
    }
    return out;
}

void throw_id_taken(const stored_event& stored) {
    std::string where = stored.aggregate_uuid
                            ? "version " + std::to_string(stored.aggregate_version) +
                                  " of aggregate " + *stored.aggregate_uuid
                            : "an event without an aggregate";
    throw es_error(es_errc::duplicate_id,
                   "event id " + std::to_string(stored.id) + " is already stored as " + where +
                       " with other content or at another place: a retried append must send the "
                       "same events to the same place; new events need new ids");
}

item checked_item(const stored_event& e, const store_config& config, std::size_t* size) {
    item it = to_item(e, config);
    const std::size_t bytes = item_size(it);
    if (bytes > max_item_size)
        throw event_too_large(bytes, max_item_size);
    if (size)
        *size = bytes;
    return it;
}

std::string sha256_hex(std::string_view data) {
    const auto digest = sigv4::detail::sha256(data);
    std::string out(2 * digest.size(), '0');
    sigv4::detail::hex_encode(digest.data(), digest.size(), out.data());
    return out;
}

item to_item(const stored_event& e, const store_config& config) {
    item it;
    it.emplace("pk", attribute_value(partition_of(e.aggregate_uuid, e.id)));
    it.emplace("v", attribute_value(number(e.aggregate_version)));
    it.emplace("id", attribute_value(number(e.id)));
    it.emplace("g", attribute_value(global_key(e, config)));
    it.emplace("cls", attribute_value(e.event_class));
    it.emplace("ev", attribute_value(number(e.event_version)));
    it.emplace("p", attribute_value(json::serialize(e.event_properties)));
    it.emplace("m", attribute_value(json::serialize(e.meta_data)));
    it.emplace(
        "at",
        attribute_value(number(static_cast<std::int64_t>(
            std::chrono::duration_cast<microseconds>(e.created_at.time_since_epoch()).count()))));
    if (e.expires_at)
        it.emplace(
            config.ttl_attribute,
            attribute_value(number(static_cast<std::int64_t>(
                std::chrono::duration_cast<std::chrono::seconds>(e.expires_at->time_since_epoch())
                    .count()))));
    return it;
}

namespace {

[[noreturn]] void bad(const std::string& id, const std::string& what) {
    throw es_error(es_errc::invalid_stored_event, "stored event " + id + ": " + what);
}

const attribute_value& need(const item& it, const char* name, attribute_value::kind k,
                            const std::string& id) {
    auto found = it.find(name);
    if (found == it.end())
        bad(id, std::string("attribute ") + name + " is missing");
    if (found->second.type() != k)
        bad(id, std::string("attribute ") + name + " has the wrong type");
    return found->second;
}

std::int64_t integer(const item& it, const char* name, const std::string& id) {
    const auto& v = need(it, name, attribute_value::kind::N, id);
    try {
        return v.as_n().as<std::int64_t>();
    } catch (const std::exception&) {
        bad(id, std::string("attribute ") + name + " is not a 64-bit integer");
    }
}

// `count` units of Unit since the epoch, which system_clock (nanoseconds, about
// 292 years either side of 1970) must be able to hold: a larger value would
// overflow converting.
template <class Unit>
system_clock::time_point time_at(std::int64_t count, const std::string& name,
                                 const std::string& id) {
    constexpr auto min = std::chrono::duration_cast<Unit>(system_clock::duration::min()).count();
    constexpr auto max = std::chrono::duration_cast<Unit>(system_clock::duration::max()).count();
    if (count < min || count > max)
        bad(id, "attribute " + name + " is out of range for a time");
    return system_clock::time_point(
        std::chrono::duration_cast<system_clock::duration>(Unit(count)));
}

json::value parse(std::string_view text, const char* name, const std::string& id) {
    json::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec)
        bad(id, std::string("attribute ") + name + " is not JSON: " + ec.message());
    return v;
}

} // namespace

stored_event from_item(const item& it, const store_config& config) {
    std::string id_text = "(no id)";
    if (auto f = it.find("id"); f != it.end() && f->second.type() == attribute_value::kind::N)
        id_text = f->second.as_n().str();
    stored_event e;
    e.id = integer(it, "id", id_text);
    const std::string& pk = need(it, "pk", attribute_value::kind::S, id_text).as_s();
    if (pk.rfind("$e#", 0) != 0)
        e.aggregate_uuid = pk;
    e.aggregate_version = integer(it, "v", id_text);
    std::int64_t ev = integer(it, "ev", id_text);
    if (ev < 1 || ev > std::numeric_limits<int>::max())
        bad(id_text, "attribute ev (event version) is out of range");
    e.event_version = static_cast<int>(ev);
    e.event_class = need(it, "cls", attribute_value::kind::S, id_text).as_s();
    e.event_properties =
        parse(need(it, "p", attribute_value::kind::S, id_text).as_s(), "p", id_text);
    json::value m = parse(need(it, "m", attribute_value::kind::S, id_text).as_s(), "m", id_text);
    if (!m.is_object())
        bad(id_text, "attribute m (metadata) is not a JSON object");
    e.meta_data = std::move(m.as_object());
    e.created_at = time_at<microseconds>(integer(it, "at", id_text), "at", id_text);
    if (auto f = it.find(config.ttl_attribute); f != it.end()) {
        if (f->second.type() != attribute_value::kind::N)
            bad(id_text, "attribute " + config.ttl_attribute + " (TTL) is not a number");
        e.expires_at = time_at<std::chrono::seconds>(
            integer(it, config.ttl_attribute.c_str(), id_text), config.ttl_attribute, id_text);
    }
    return e;
}

namespace {

// A DynamoDB number as a 64-bit integer: plain digits at once, any other
// spelling ("1E2") through ddb::number.
std::optional<std::int64_t> to_int64(std::string_view text) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty())
        return v;
    try {
        return number(text).as<std::int64_t>();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// One attribute of a JSON item: its value, and whether it is
// {"<type>": "<text>"} of the expected type.
struct json_attr {
    const json::value* value = nullptr;
    const json::string* text = nullptr;
};

json_attr typed(const json::value& v, std::string_view type) {
    json_attr a{&v, nullptr};
    if (const json::object* o = v.if_object(); o && o->size() == 1) {
        const auto& kv = *o->begin();
        if (kv.key() == type && kv.value().is_string())
            a.text = &kv.value().get_string();
    }
    return a;
}

} // namespace

stored_event from_json_item(const json::object& it, const store_config& config) {
    // One pass over the attributes (an object lookup per name would compare
    // keys again for each).
    json_attr pk, v, id, cls, ev, p, m, at, ttl;
    for (const auto& kv : it) {
        const std::string_view k = kv.key();
        const json::value& val = kv.value();
        if (k == config.ttl_attribute) // (not exclusive: any name may be configured)
            ttl = typed(val, "N");
        if (k.size() == 1 && k[0] == 'v')
            v = typed(val, "N");
        else if (k.size() == 1 && k[0] == 'p')
            p = typed(val, "S");
        else if (k.size() == 1 && k[0] == 'm')
            m = typed(val, "S");
        else if (k == "pk")
            pk = typed(val, "S");
        else if (k == "id")
            id = typed(val, "N");
        else if (k == "cls")
            cls = typed(val, "S");
        else if (k == "ev")
            ev = typed(val, "N");
        else if (k == "at")
            at = typed(val, "N");
    }
    std::string id_text =
        id.text ? std::string(id.text->data(), id.text->size()) : std::string("(no id)");
    auto text = [&](const json_attr& a, const char* name) -> std::string_view {
        if (!a.value)
            bad(id_text, std::string("attribute ") + name + " is missing");
        if (!a.text)
            bad(id_text, std::string("attribute ") + name + " has the wrong type");
        return *a.text;
    };
    auto integer = [&](const json_attr& a, const char* name) {
        auto n = to_int64(text(a, name));
        if (!n)
            bad(id_text, std::string("attribute ") + name + " is not a 64-bit integer");
        return *n;
    };
    stored_event e;
    e.id = integer(id, "id");
    const std::string_view partition = text(pk, "pk");
    if (partition.rfind("$e#", 0) != 0)
        e.aggregate_uuid.emplace(partition);
    e.aggregate_version = integer(v, "v");
    std::int64_t version = integer(ev, "ev");
    if (version < 1 || version > std::numeric_limits<int>::max())
        bad(id_text, "attribute ev (event version) is out of range");
    e.event_version = static_cast<int>(version);
    e.event_class = text(cls, "cls");
    const std::string_view properties = text(p, "p");
    const std::string_view metadata = text(m, "m");
    json::error_code ec;
    e.event_properties = json::parse(properties, ec);
    if (ec)
        bad(id_text, "attribute p is not JSON: " + ec.message());
    json::value meta = json::parse(metadata, ec);
    if (ec)
        bad(id_text, "attribute m is not JSON: " + ec.message());
    if (!meta.is_object())
        bad(id_text, "attribute m (metadata) is not a JSON object");
    e.meta_data = std::move(meta.as_object());
    e.created_at = time_at<microseconds>(integer(at, "at"), "at", id_text);
    if (ttl.value) {
        if (!ttl.text)
            bad(id_text, "attribute " + config.ttl_attribute + " (TTL) is not a number");
        e.expires_at = time_at<std::chrono::seconds>(integer(ttl, config.ttl_attribute.c_str()),
                                                     config.ttl_attribute, id_text);
    }
    return e;
}

} // namespace ddb::es::detail
