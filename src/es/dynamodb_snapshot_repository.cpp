#include <ddb/es/dynamodb_snapshot_repository.hpp>

#include <ddb/es/error.hpp>
#include <ddb/ops/batch.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/value/expression.hpp>

#include "detail/event_item.hpp"
#include "detail/snapshot_item.hpp"

#include <algorithm>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using namespace ddb::expr;

namespace {

std::string_view as_text(const std::vector<std::uint8_t>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

using detail::snapshot_integer;

} // namespace

struct dynamodb_snapshot_repository::state {
    client c; // a handle on the caller's client (share())
    store_config cfg;
    std::shared_ptr<id_generator> ids;
    state(client& cl, store_config config, std::shared_ptr<id_generator> g)
        : c(cl.share())
        , cfg(std::move(config))
        , ids(g ? std::move(g) : std::make_shared<timestamp_id_generator>()) {
        if (cfg.snapshot_part_size < 1024 || cfg.snapshot_part_size > 399'000)
            throw es_error(es_errc::invalid_argument,
                           "store_config.snapshot_part_size must be 1024 to 399000 bytes");
    }

    // The state of the snapshot `header` describes, if complete and intact.
    awaitable<std::optional<std::vector<std::uint8_t>>> load(const std::string& uuid,
                                                             const item& header) {
        auto h = detail::read_snapshot_header(header);
        if (!h)
            co_return std::nullopt;
        std::vector<item> parts;
        if (h->parts > 0) {
            std::vector<get_request> keys;
            for (auto& key : detail::snapshot_part_keys(uuid, *h))
                keys.push_back({cfg.snapshots_table, std::move(key)});
            batch_options o;
            o.consistent_read = true;
            auto got = co_await batch_get(c, std::move(keys), o);
            if (!got.ok())
                throw es_error(es_errc::invalid_argument,
                               "snapshot parts of " + uuid +
                                   " could not be read: " + got.failed.front().reason);
            parts = std::move(got.items[cfg.snapshots_table]);
        }
        co_return detail::assemble_snapshot(*h, header, parts);
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
                old.emplace_back(snapshot_integer(*it, "id"), snapshot_integer(*it, "parts"));
        for (auto [id, parts] : old) {
            if (id < 0)
                continue;
            // The header first: the snapshot is gone for readers at once.
            delete_item_request del{
                .table_name = cfg.snapshots_table,
                .key = {{"pk", attribute_value(uuid)},
                        {"sk", attribute_value(detail::snapshot_header_key(id))}}};
            co_await c.delete_item(del);
            std::vector<write_request> parts_to_delete;
            // (A damaged header's part count is bounded like a reader bounds it.)
            for (std::int64_t i = 0; i < std::min(parts, detail::max_snapshot_parts); ++i)
                parts_to_delete.push_back(write_request::delete_item(
                    cfg.snapshots_table,
                    {{"pk", attribute_value(uuid)},
                     {"sk", attribute_value(detail::snapshot_part_key(id, i))}}));
            if (!parts_to_delete.empty())
                co_await batch_write(c, std::move(parts_to_delete));
        }
    }
};

dynamodb_snapshot_repository::dynamodb_snapshot_repository(client& c, store_config config,
                                                           std::shared_ptr<id_generator> ids)
    : state_(std::make_shared<state>(c, std::move(config), std::move(ids))) {}

dynamodb_snapshot_repository::~dynamodb_snapshot_repository() = default;

snapshot_repository::executor_type dynamodb_snapshot_repository::get_executor() const {
    return state_->c.get_executor();
}

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
        s.aggregate_version = snapshot_integer(*header, "v");
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
                {"sk", attribute_value(detail::snapshot_header_key(id))},
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
        if (parts > static_cast<std::size_t>(detail::max_snapshot_parts))
            throw es_error(es_errc::invalid_argument,
                           "snapshot of " + s.aggregate_uuid + " needs " + std::to_string(parts) +
                               " parts, more than " + std::to_string(detail::max_snapshot_parts) +
                               " (raise store_config.snapshot_part_size)");
        header["parts"] = attribute_value(number(static_cast<std::uint64_t>(parts)));
        std::vector<write_request> writes;
        for (std::size_t i = 0; i < parts; ++i) {
            auto from = s.state.begin() + static_cast<std::ptrdiff_t>(i * part_size);
            auto to = s.state.begin() +
                      static_cast<std::ptrdiff_t>(std::min(s.state.size(), (i + 1) * part_size));
            writes.push_back(write_request::put_item(
                st.cfg.snapshots_table,
                {{"pk", attribute_value(s.aggregate_uuid)},
                 {"sk",
                  attribute_value(detail::snapshot_part_key(id, static_cast<std::int64_t>(i)))},
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
