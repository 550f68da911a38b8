#include <ddb/es/dynamodb_snapshot_repository.hpp>

#include <ddb/batch.hpp>
#include <ddb/es/error.hpp>
#include <ddb/expression.hpp>
#include <ddb/paginator.hpp>

#include "event_item.hpp"

#include <cstdio>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using namespace ddb::expr;

namespace {

std::string_view as_text(const std::vector<std::uint8_t>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string padded(std::int64_t v, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
    return buf;
}

std::string header_key(std::int64_t id) {
    return "h#" + padded(id, 20);
}
std::string part_key(std::int64_t id, std::int64_t part) {
    return "p#" + padded(id, 20) + "#" + padded(part, 6);
}

std::int64_t integer_of(const item& it, const char* name) {
    auto f = it.find(name);
    if (f == it.end() || f->second.type() != attribute_value::kind::N)
        return -1;
    try {
        return f->second.as_n().as<std::int64_t>();
    } catch (const std::exception&) {
        return -1;
    }
}

} // namespace

struct dynamodb_snapshot_repository::state {
    client& c;
    store_config cfg;
    std::shared_ptr<id_generator> ids;
    state(client& cl, store_config config, std::shared_ptr<id_generator> g)
        : c(cl)
        , cfg(std::move(config))
        , ids(g ? std::move(g) : std::make_shared<timestamp_id_generator>()) {
        if (cfg.snapshot_part_size < 1024 || cfg.snapshot_part_size > 399'000)
            throw es_error(es_errc::invalid_argument,
                           "store_config.snapshot_part_size must be 1024 to 399000 bytes");
    }

    // The state of the snapshot `header` describes, if complete and intact.
    awaitable<std::optional<std::vector<std::uint8_t>>> load(const std::string& uuid,
                                                             const item& header) {
        const std::int64_t id = integer_of(header, "id");
        const std::int64_t parts = integer_of(header, "parts");
        const std::int64_t size = integer_of(header, "size");
        auto sum = header.find("sum");
        if (id < 0 || parts < 0 || size < 0 || sum == header.end() ||
            sum->second.type() != attribute_value::kind::S)
            co_return std::nullopt;
        std::vector<std::uint8_t> data;
        if (parts == 0) {
            if (auto d = header.find("data"); d != header.end()) {
                if (d->second.type() != attribute_value::kind::B)
                    co_return std::nullopt;
                data = d->second.as_b();
            }
        } else {
            std::vector<get_request> keys;
            for (std::int64_t i = 0; i < parts; ++i)
                keys.push_back(
                    {cfg.snapshots_table,
                     {{"pk", attribute_value(uuid)}, {"sk", attribute_value(part_key(id, i))}}});
            batch_options o;
            o.consistent_read = true;
            auto got = co_await batch_get(c, std::move(keys), o);
            if (!got.ok())
                throw es_error(es_errc::invalid_argument,
                               "snapshot parts of " + uuid +
                                   " could not be read: " + got.failed.front().reason);
            auto& items = got.items[cfg.snapshots_table];
            if (static_cast<std::int64_t>(items.size()) != parts)
                co_return std::nullopt; // incomplete
            std::vector<const item*> ordered(static_cast<std::size_t>(parts), nullptr);
            for (auto& it : items) {
                auto p = integer_of(it, "part");
                auto d = it.find("data");
                if (p < 0 || p >= parts || ordered[static_cast<std::size_t>(p)] || d == it.end() ||
                    d->second.type() != attribute_value::kind::B)
                    co_return std::nullopt;
                ordered[static_cast<std::size_t>(p)] = &it;
            }
            data.reserve(static_cast<std::size_t>(size));
            for (auto* it : ordered) {
                const auto& b = it->at("data").as_b();
                data.insert(data.end(), b.begin(), b.end());
            }
        }
        if (static_cast<std::int64_t>(data.size()) != size ||
            detail::sha256_hex(as_text(data)) != sum->second.as_s())
            co_return std::nullopt; // damaged
        co_return data;
    }

    query_request headers(const std::string& uuid) {
        query_request req{.table_name = cfg.snapshots_table,
                          .limit = 1,
                          .consistent_read = true,
                          .scan_index_forward = false};
        parameters p;
        req.key_condition_expression =
            p.render(path("pk") == value(uuid) && begins_with(path("sk"), value("h#")));
        p.apply_to(req);
        return req;
    }

    awaitable<void> enforce_retention(const std::string& uuid) {
        auto req = headers(uuid);
        req.limit = 100;
        parameters p;
        req.projection_expression = p.render(expr::projection{path("id"), path("parts")});
        p.apply_to(req);
        int seen = 0;
        std::vector<std::pair<std::int64_t, std::int64_t>> old; // id, parts
        auto items = query_items(c, req);
        while (auto it = co_await items.next())
            if (++seen > cfg.snapshot_retention)
                old.emplace_back(integer_of(*it, "id"), integer_of(*it, "parts"));
        for (auto [id, parts] : old) {
            if (id < 0)
                continue;
            // The header first: the snapshot is gone for readers at once.
            delete_item_request del{
                .table_name = cfg.snapshots_table,
                .key = {{"pk", attribute_value(uuid)}, {"sk", attribute_value(header_key(id))}}};
            co_await c.delete_item(del);
            std::vector<write_request> parts_to_delete;
            for (std::int64_t i = 0; i < parts; ++i)
                parts_to_delete.push_back(write_request::delete_item(
                    cfg.snapshots_table,
                    {{"pk", attribute_value(uuid)}, {"sk", attribute_value(part_key(id, i))}}));
            if (!parts_to_delete.empty())
                co_await batch_write(c, std::move(parts_to_delete));
        }
    }
};

dynamodb_snapshot_repository::dynamodb_snapshot_repository(client& c, store_config config,
                                                           std::shared_ptr<id_generator> ids)
    : state_(std::make_shared<state>(c, std::move(config), std::move(ids))) {}

dynamodb_snapshot_repository::~dynamodb_snapshot_repository() = default;

awaitable<std::optional<snapshot>> dynamodb_snapshot_repository::retrieve(std::string uuid) {
    auto& st = *state_;
    detail::check_uuid(uuid);
    auto req = st.headers(uuid);
    auto items = query_items(st.c, req);
    while (auto header = co_await items.next()) {
        auto data = co_await st.load(uuid, *header);
        if (!data)
            continue; // incomplete or damaged: the one before it
        snapshot s;
        s.aggregate_uuid = uuid;
        s.aggregate_version = integer_of(*header, "v");
        s.state = std::move(*data);
        co_return s;
    }
    co_return std::nullopt;
}

awaitable<snapshot> dynamodb_snapshot_repository::persist(snapshot s) {
    auto& st = *state_;
    detail::check_uuid(s.aggregate_uuid);
    if (s.aggregate_version < 0)
        throw es_error(es_errc::invalid_argument, "snapshot version is negative");
    const std::int64_t id = st.ids->next_id();
    const std::size_t part_size = st.cfg.snapshot_part_size;
    item header{{"pk", attribute_value(s.aggregate_uuid)},
                {"sk", attribute_value(header_key(id))},
                {"id", attribute_value(number(id))},
                {"v", attribute_value(number(s.aggregate_version))},
                {"size", attribute_value(number(static_cast<std::uint64_t>(s.state.size())))},
                {"sum", attribute_value(detail::sha256_hex(as_text(s.state)))}};
    if (s.state.size() <= part_size) {
        header["parts"] = attribute_value(number(0));
        if (!s.state.empty())
            header["data"] = attribute_value::b(s.state);
    } else {
        const std::size_t parts = (s.state.size() + part_size - 1) / part_size;
        header["parts"] = attribute_value(number(static_cast<std::uint64_t>(parts)));
        std::vector<write_request> writes;
        for (std::size_t i = 0; i < parts; ++i) {
            auto from = s.state.begin() + static_cast<std::ptrdiff_t>(i * part_size);
            auto to = s.state.begin() +
                      static_cast<std::ptrdiff_t>(std::min(s.state.size(), (i + 1) * part_size));
            writes.push_back(write_request::put_item(
                st.cfg.snapshots_table,
                {{"pk", attribute_value(s.aggregate_uuid)},
                 {"sk", attribute_value(part_key(id, static_cast<std::int64_t>(i)))},
                 {"part", attribute_value(number(static_cast<std::uint64_t>(i)))},
                 {"data", attribute_value::b(bytes(from, to))}}));
        }
        auto written = co_await batch_write(st.c, std::move(writes));
        if (!written.ok())
            throw es_error(es_errc::invalid_argument,
                           "snapshot of " + s.aggregate_uuid + ": " +
                               std::to_string(written.failed.size()) +
                               " parts could not be written: " + written.failed.front().reason);
    }
    put_item_request put{.table_name = st.cfg.snapshots_table, .item = std::move(header)};
    co_await st.c.put_item(put);
    co_await st.enforce_retention(s.aggregate_uuid);
    co_return s;
}

} // namespace ddb::es
