#include "checkpoint_item.hpp"

#include <ddb/es/error.hpp>

#include "../../core/sha256.hpp"

#include <charconv>
#include <cstdio>
#include <optional>

namespace ddb::es::detail {

namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// DynamoDB's limit on a sort key: 1024 bytes.
constexpr std::size_t max_sort_key = 1024;
constexpr std::size_t max_name = 255;

void check_name(std::string_view name, const char* what) {
    if (name.empty() || name.size() > max_name)
        throw es_error(es_errc::invalid_argument, std::string(what) + " must be 1 to " +
                                                      std::to_string(max_name) + " bytes, not " +
                                                      std::to_string(name.size()));
    for (unsigned char ch : name)
        if (ch < 0x20 || ch == 0x7f)
            throw es_error(es_errc::invalid_argument, std::string(what) + " \"" +
                                                          std::string(name) +
                                                          "\" has a control character");
}

std::string digits(std::int64_t v, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
    return buf;
}

std::string sha256_text(std::string_view data) {
    const auto d = sigv4::detail::sha256(data);
    std::string out(2 * d.size(), '0');
    sigv4::detail::hex_encode(d.data(), d.size(), out.data());
    return out;
}

[[noreturn]] void damaged(const std::string& table, const item& it, const std::string& what) {
    std::string key;
    for (const char* k : {"pk", "sk"}) {
        auto f = it.find(k);
        key += std::string(key.empty() ? "" : ", ") + k + " " +
               (f != it.end() && f->second.type() == attribute_value::kind::S ? f->second.as_s()
                                                                              : "?");
    }
    throw es_error(es_errc::invalid_checkpoint_item,
                   "checkpoints table " + table + ", item " + key + ": " + what);
}

// The S attribute `name` ("" when absent).
std::string text(const std::string& table, const item& it, const char* name) {
    auto f = it.find(name);
    if (f == it.end())
        return {};
    if (f->second.type() != attribute_value::kind::S)
        damaged(table, it,
                std::string(name) + " is " + std::string(f->second.type_name()) + ", not S");
    return f->second.as_s();
}

// The N attribute `name` as a 64-bit integer (`fallback` when absent).
std::int64_t integer(const std::string& table, const item& it, const char* name,
                     std::int64_t fallback = 0) {
    auto f = it.find(name);
    if (f == it.end())
        return fallback;
    if (f->second.type() != attribute_value::kind::N)
        damaged(table, it,
                std::string(name) + " is " + std::string(f->second.type_name()) + ", not N");
    try {
        return f->second.as_n().as<std::int64_t>();
    } catch (const std::exception&) {
        damaged(table, it, std::string(name) + " is not a 64-bit integer");
    }
}

} // namespace

void check_projection(std::string_view projection) {
    check_name(projection, "projection name");
}
void check_owner(std::string_view owner) {
    check_name(owner, "lease owner");
}
void check_consumer(std::string_view consumer) {
    check_name(consumer, "consumer name");
}
void check_label(std::string_view label) {
    check_name(label, "stream label");
    if (label.find('#') != std::string_view::npos)
        throw es_error(es_errc::invalid_argument,
                       "stream label \"" + std::string(label) + "\" has a '#'");
}
void check_shard_id(std::string_view shard_id) {
    check_name(shard_id, "shard id");
}
void check_sequence_number(std::string_view sequence_number) {
    const bool digits = !sequence_number.empty() && sequence_number.size() <= 40 &&
                        sequence_number.find_first_not_of("0123456789") == std::string_view::npos &&
                        (sequence_number.size() == 1 || sequence_number[0] != '0');
    if (!digits)
        throw es_error(es_errc::invalid_argument,
                       "a sequence number is 1 to 40 digits without a leading zero, not \"" +
                           std::string(sequence_number.substr(0, 64)) + "\"");
}
void check_partition(int partition) {
    if (partition < 0 || partition > 99'999)
        throw es_error(es_errc::invalid_argument,
                       "partition must be 0 to 99999, not " + std::to_string(partition));
}
void check_duration(milliseconds d, const char* what) {
    if (d <= milliseconds(0))
        throw es_error(es_errc::invalid_argument, std::string(what) + " must be positive, not " +
                                                      std::to_string(d.count()) + " ms");
}

std::string lease_sort_key(int partition) {
    return "p#" + digits(partition, 5);
}
std::string worker_sort_key(std::string_view owner) {
    return "w#" + std::string(owner);
}
std::string parked_sort_key(std::int64_t id, std::string_view key) {
    std::string sk = "x#" + digits(id, 20) + "#";
    if (sk.size() + key.size() <= max_sort_key)
        return sk + std::string(key);
    return sk + "h" + sha256_text(key);
}

std::string shard_sort_key(std::string_view label, std::string_view shard_id) {
    return shard_prefix(label) + std::string(shard_id);
}
std::string shard_prefix(std::string_view label) {
    return "s#" + std::string(label) + "#";
}

item checkpoint_key(const std::string& projection, std::string sk) {
    return {{"pk", attribute_value(projection)}, {"sk", attribute_value(std::move(sk))}};
}

std::int64_t to_ms(system_clock::time_point t) {
    return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}
system_clock::time_point from_ms(std::int64_t ms) {
    return system_clock::time_point(
        std::chrono::duration_cast<system_clock::duration>(milliseconds(ms)));
}

attribute_value keys_value(const subscription_position& p) {
    attribute_value::list_type keys;
    keys.reserve(p.at_id.size());
    for (const auto& k : p.at_id)
        keys.emplace_back(k);
    return attribute_value::l(std::move(keys));
}

lease read_lease(const std::string& table, const item& it) {
    lease l;
    l.projection = text(table, it, "pk");
    const std::string sk = text(table, it, "sk");
    int partition = -1;
    if (sk.size() == 7 && sk.compare(0, 2, "p#") == 0) {
        auto [end, ec] = std::from_chars(sk.data() + 2, sk.data() + sk.size(), partition);
        if (ec != std::errc() || end != sk.data() + sk.size())
            partition = -1;
    }
    if (partition < 0)
        damaged(table, it, "sort key is not p#<partition, 5 digits>");
    l.partition = partition;
    l.owner = text(table, it, "owner");
    l.fence = integer(table, it, "fence");
    l.until = from_ms(integer(table, it, "until"));
    l.position.id = integer(table, it, "cp");
    if (auto f = it.find("cpk"); f != it.end()) {
        if (f->second.type() != attribute_value::kind::L)
            damaged(table, it, "cpk is " + std::string(f->second.type_name()) + ", not L");
        for (const auto& k : f->second.as_l()) {
            if (k.type() != attribute_value::kind::S)
                damaged(table, it, "cpk holds a " + std::string(k.type_name()) + ", not S");
            l.position.at_id.push_back(k.as_s());
        }
    }
    if (it.count("at"))
        l.committed_at = from_ms(integer(table, it, "at"));
    return l;
}

lease_state read_lease_state(const std::string& table, const item& it) {
    lease_state s;
    s.owner = text(table, it, "owner");
    s.fence = integer(table, it, "fence");
    s.until = from_ms(integer(table, it, "until"));
    s.done = it.count("done") != 0;
    return s;
}

namespace {

// The optional S attribute `name`.
std::optional<std::string> optional_text(const std::string& table, const item& it,
                                         const char* name) {
    if (!it.count(name))
        return std::nullopt;
    return text(table, it, name);
}

// The sort key "s#<label>#<shard id>" into the lease's label and shard.
void read_shard_key(const std::string& table, const item& it, shard_lease& l) {
    const std::string sk = text(table, it, "sk");
    const auto hash = sk.find('#', 2);
    if (sk.compare(0, 2, "s#") != 0 || hash == std::string::npos || hash == 2 ||
        hash + 1 == sk.size())
        damaged(table, it, "sort key is not s#<label>#<shard id>");
    l.label = sk.substr(2, hash - 2);
    l.shard_id = sk.substr(hash + 1);
}

} // namespace

shard_lease read_shard_lease(const std::string& table, const item& it) {
    shard_lease l;
    l.consumer = text(table, it, "pk");
    read_shard_key(table, it, l);
    if (auto f = it.find("par"); f != it.end()) {
        if (f->second.type() != attribute_value::kind::L)
            damaged(table, it, "par is " + std::string(f->second.type_name()) + ", not L");
        for (const auto& p : f->second.as_l()) {
            if (p.type() != attribute_value::kind::S)
                damaged(table, it, "par holds a " + std::string(p.type_name()) + ", not S");
            l.parents.push_back(p.as_s());
        }
    }
    const std::string start = text(table, it, "start");
    if (start != "TRIM_HORIZON" && start != "LATEST")
        damaged(table, it, "start is \"" + start + "\", not TRIM_HORIZON or LATEST");
    l.start = start == "LATEST" ? shard_lease_start::latest : shard_lease_start::trim_horizon;
    const lease_state s = read_lease_state(table, it);
    l.owner = s.owner;
    l.fence = s.fence;
    l.until = s.until;
    l.sequence_number = optional_text(table, it, "sq");
    l.delivering = optional_text(table, it, "hi");
    l.handled = integer(table, it, "n");
    if (it.count("at"))
        l.committed_at = from_ms(integer(table, it, "at"));
    if (s.done)
        l.done = from_ms(integer(table, it, "done"));
    l.gap = optional_text(table, it, "gap");
    return l;
}

parked_event read_parked(const std::string& table, const item& it) {
    parked_event p;
    p.key = text(table, it, "key");
    p.id = integer(table, it, "id", -1);
    if (p.key.empty() || p.id < 0)
        damaged(table, it, "a parked event needs key and id");
    p.event_class = text(table, it, "cls");
    p.error = text(table, it, "err");
    const std::int64_t n = integer(table, it, "n");
    p.attempts = n < 0 || n > 1'000'000'000 ? 0 : static_cast<int>(n);
    p.parked_at = from_ms(integer(table, it, "at"));
    if (auto rd = it.find("rd"); rd != it.end() && rd->second.type() == attribute_value::kind::BOOL)
        p.redrive = rd->second.as_bool();
    return p;
}

std::string commit_token(const lease& l, const subscription_position& next) {
    // Lengths first, so that no two different commits spell the same text.
    std::string text = "ddb-es-commit";
    auto add = [&text](std::string_view part) {
        text += "\n" + std::to_string(part.size()) + ":";
        text += part;
    };
    add(l.projection);
    add(std::to_string(l.partition));
    add(l.owner);
    add(std::to_string(l.fence));
    for (const auto* p : {&l.position, &next}) {
        add(std::to_string(p->id));
        add(std::to_string(p->at_id.size()));
        for (const auto& k : p->at_id)
            add(k);
    }
    return sha256_text(text).substr(0, 36);
}

} // namespace ddb::es::detail
