#include <ddb/es/tables.hpp>

#include <ddb/es/error.hpp>
#include <ddb/table_waiter.hpp>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

void apply_billing(create_table_request& r, const store_config& config) {
    r.billing_mode = config.billing;
    if (config.billing == billing_mode::provisioned) {
        if (!config.throughput)
            throw es_error(es_errc::invalid_argument,
                           "provisioned billing needs store_config.throughput");
        r.provisioned_throughput = config.throughput;
        for (auto& g : r.global_secondary_indexes)
            g.provisioned_throughput = config.throughput;
    }
}

awaitable<bool> exists(client& c, const std::string& table) {
    try {
        co_await c.describe_table(table);
        co_return true;
    } catch (const resource_not_found&) {
        co_return false;
    }
}

} // namespace

create_table_request events_table_spec(const store_config& config) {
    create_table_request r;
    r.table_name = config.events_table;
    r.attribute_definitions = {{"pk", scalar_attribute_type::s},
                               {"v", scalar_attribute_type::n},
                               {"g", scalar_attribute_type::s},
                               {"id", scalar_attribute_type::n}};
    r.key_schema = {{"pk", key_type::hash}, {"v", key_type::range}};
    global_secondary_index gsi;
    gsi.index_name = global_index;
    gsi.key_schema = {{"g", key_type::hash}, {"id", key_type::range}};
    gsi.projection.projection_type = projection_type::all;
    r.global_secondary_indexes.push_back(gsi);
    apply_billing(r, config);
    return r;
}

create_table_request snapshots_table_spec(const store_config& config) {
    create_table_request r;
    r.table_name = config.snapshots_table;
    r.attribute_definitions = {{"pk", scalar_attribute_type::s}, {"sk", scalar_attribute_type::s}};
    r.key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}};
    apply_billing(r, config);
    return r;
}

awaitable<void> create_tables(client& c, const store_config& config, bool force,
                              std::function<void(std::string_view)> progress) {
    auto say = [&](const std::string& line) {
        if (progress)
            progress(line);
    };
    const create_table_request specs[] = {events_table_spec(config), snapshots_table_spec(config)};
    for (const auto& spec : specs) {
        if (co_await exists(c, spec.table_name)) {
            if (!force)
                throw es_error(es_errc::tables_exist,
                               "table " + spec.table_name + " exists (use force to recreate it)");
            say("deleting " + spec.table_name);
            co_await c.delete_table(spec.table_name);
            co_await wait_until_table_gone(c, spec.table_name);
        }
    }
    for (const auto& spec : specs) {
        say("creating " + spec.table_name);
        co_await c.create_table(spec);
    }
    for (const auto& spec : specs) {
        co_await wait_until_table_active(c, spec.table_name, std::chrono::minutes(10),
                                         std::chrono::milliseconds(200));
        say(spec.table_name + " is active");
    }
    if (config.ttl) {
        update_time_to_live_request ttl{config.events_table, {true, config.ttl_attribute}};
        co_await c.update_time_to_live(ttl);
        say("TTL enabled on " + config.events_table + "." + config.ttl_attribute);
    }
}

awaitable<void> delete_tables(client& c, const store_config& config) {
    for (const auto* name : {&config.events_table, &config.snapshots_table}) {
        try {
            co_await c.delete_table(*name);
        } catch (const resource_not_found&) {
            continue;
        }
        co_await wait_until_table_gone(c, *name);
    }
}

} // namespace ddb::es
