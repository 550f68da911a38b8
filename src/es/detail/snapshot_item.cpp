#include "snapshot_item.hpp"

#include "event_item.hpp"

#include <cstdio>

namespace ddb::es::detail {

namespace {

std::string_view as_text(const std::vector<std::uint8_t>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string padded(std::int64_t v, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
    return buf;
}

} // namespace

std::string snapshot_header_key(std::int64_t id) {
    return "h#" + padded(id, 20);
}

std::string snapshot_part_key(std::int64_t id, std::int64_t part) {
    return "p#" + padded(id, 20) + "#" + padded(part, 6);
}

std::int64_t snapshot_integer(const item& it, const char* name) {
    auto f = it.find(name);
    if (f == it.end() || f->second.type() != attribute_value::kind::N)
        return -1;
    try {
        return f->second.as_n().as<std::int64_t>();
    } catch (const std::exception&) {
        return -1;
    }
}

std::optional<snapshot_header> read_snapshot_header(const item& header) {
    snapshot_header h;
    h.id = snapshot_integer(header, "id");
    h.parts = snapshot_integer(header, "parts");
    h.size = snapshot_integer(header, "size");
    auto sum = header.find("sum");
    if (h.id < 0 || h.parts < 0 || h.size < 0 || sum == header.end() ||
        sum->second.type() != attribute_value::kind::S)
        return std::nullopt;
    // Every part but the last holds a whole part size: more parts than that
    // allows (or than any snapshot may have) is a damaged header, not a
    // reason to ask for billions of keys.
    if (h.parts > max_snapshot_parts ||
        h.parts > h.size / min_snapshot_part_size + (h.size % min_snapshot_part_size != 0))
        return std::nullopt;
    h.sum = sum->second.as_s();
    return h;
}

std::vector<item> snapshot_part_keys(const std::string& uuid, const snapshot_header& h) {
    std::vector<item> keys;
    for (std::int64_t i = 0; i < h.parts; ++i)
        keys.push_back(
            {{"pk", attribute_value(uuid)}, {"sk", attribute_value(snapshot_part_key(h.id, i))}});
    return keys;
}

std::optional<bytes> assemble_snapshot(const snapshot_header& h, const item& header,
                                       const std::vector<item>& parts) {
    std::vector<std::uint8_t> data;
    if (h.parts == 0) {
        if (auto d = header.find("data"); d != header.end()) {
            if (d->second.type() != attribute_value::kind::B)
                return std::nullopt;
            data = d->second.as_b();
        }
    } else {
        if (static_cast<std::int64_t>(parts.size()) != h.parts)
            return std::nullopt; // incomplete
        std::vector<const item*> ordered(static_cast<std::size_t>(h.parts), nullptr);
        for (auto& it : parts) {
            auto p = snapshot_integer(it, "part");
            auto d = it.find("data");
            if (p < 0 || p >= h.parts || ordered[static_cast<std::size_t>(p)] || d == it.end() ||
                d->second.type() != attribute_value::kind::B)
                return std::nullopt;
            ordered[static_cast<std::size_t>(p)] = &it;
        }
        // The parts' own sizes, not the header's claim (checked below).
        std::size_t total = 0;
        for (auto* it : ordered)
            total += it->at("data").as_b().size();
        data.reserve(total);
        for (auto* it : ordered) {
            const auto& b = it->at("data").as_b();
            data.insert(data.end(), b.begin(), b.end());
        }
    }
    if (static_cast<std::int64_t>(data.size()) != h.size || sha256_hex(as_text(data)) != h.sum)
        return std::nullopt; // damaged
    return data;
}

} // namespace ddb::es::detail
