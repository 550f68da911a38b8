#include <ddb/es/tables.hpp>

#include "detail/bucket_registry.hpp"
#include "detail/event_item.hpp"
#include "detail/events_stream.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/events_stream.hpp>
#include <ddb/model/wire.hpp>
#include <ddb/ops/table_waiter.hpp>
#include <ddb/value/expression.hpp>

#include <algorithm>
#include <exception>
#include <iterator>
#include <optional>

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

// An enumeration value as DynamoDB spells it ("HASH", "PAY_PER_REQUEST").
template <class E>
std::string name(E value) {
    const std::string_view wire = model::to_wire(value);
    return wire.empty() ? "unknown" : std::string(wire);
}

std::string keys_text(const std::vector<key_schema_element>& keys) {
    if (keys.empty())
        return "none";
    std::string out;
    for (const auto& k : keys) {
        if (!out.empty())
            out += ", ";
        out += k.attribute_name + " " + name(k.key_type);
    }
    return out;
}

bool same_keys(const std::vector<key_schema_element>& a, const std::vector<key_schema_element>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].attribute_name != b[i].attribute_name || a[i].key_type != b[i].key_type)
            return false;
    return true;
}

const scalar_attribute_type* type_of(const std::vector<attribute_definition>& defs,
                                     const std::string& attribute) {
    for (const auto& d : defs)
        if (d.attribute_name == attribute)
            return &d.attribute_type;
    return nullptr;
}

std::string projection_text(const std::optional<projection>& p) {
    if (!p || !p->projection_type)
        return "none";
    std::string out = name(*p->projection_type);
    if (*p->projection_type == projection_type::include) {
        out += " (";
        for (std::size_t i = 0; i < p->non_key_attributes.size(); ++i)
            out += (i ? ", " : "") + p->non_key_attributes[i];
        out += ")";
    }
    return out;
}

bool same_projection(const projection& expected, const std::optional<projection>& found) {
    if (!found || found->projection_type != expected.projection_type)
        return false;
    if (expected.projection_type != projection_type::include)
        return true;
    auto a = expected.non_key_attributes, b = found->non_key_attributes;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
}

// What the table's billing mode is, as far as DynamoDB says: it leaves the
// summary out for tables that were always provisioned.
billing_mode billing_of(const table_description& t) {
    if (t.billing_mode_summary && t.billing_mode_summary->billing_mode)
        return *t.billing_mode_summary->billing_mode;
    return billing_mode::provisioned;
}

const char* role_of(const store_config& config, const std::string& table) {
    return table == config.events_table      ? "events"
           : table == config.snapshots_table ? "snapshots"
                                             : "checkpoints";
}

awaitable<std::optional<table_description>> describe_or_none(client& c, const std::string& table) {
    try {
        auto r = co_await c.describe_table(table);
        co_return std::move(r.table);
    } catch (const resource_not_found&) {
        co_return std::nullopt;
    }
}

using say_fn = std::function<void(const std::string&)>;

std::string mismatch_text(const char* role, const std::string& table,
                          const std::vector<std::string>& differences) {
    std::string out = std::string(role) + " table " + table + ": ";
    for (std::size_t i = 0; i < differences.size(); ++i)
        out += (i ? ". " : "") + differences[i];
    return out;
}

[[noreturn]] void throw_mismatch(const std::vector<std::string>& tables) {
    std::string message;
    for (const auto& t : tables)
        message += (message.empty() ? "" : ". ") + t;
    throw es_error(es_errc::table_schema_mismatch,
                   message + ". The event store cannot use such a table: choose another "
                             "name in store_config, or delete it (force deletes and "
                             "recreates the store's tables, with their data)");
}

[[noreturn]] void throw_ttl_mismatch(const store_config& config, const std::string& on) {
    throw es_error(es_errc::table_schema_mismatch,
                   "events table " + config.events_table + ": TTL is enabled on attribute " + on +
                       ", not on " + config.ttl_attribute +
                       " as configured (a table has one TTL attribute: set "
                       "store_config::ttl_attribute to " +
                       on + ", or disable TTL on the table first)");
}

// What a found table has that the spec does not ask for and that is accepted:
// "" or "; billing mode ..., ...".
std::string accepted_text(const create_table_request& spec, const table_description& found) {
    std::string out;
    const billing_mode wanted = spec.billing_mode.value_or(billing_mode::provisioned);
    const billing_mode has = billing_of(found);
    if (has != wanted)
        out += std::string("; billing mode ") + name(has) + ", not " + name(wanted) +
               " as configured: left as it is";
    for (const auto& g : found.global_secondary_indexes) {
        bool ours = false;
        for (const auto& s : spec.global_secondary_indexes)
            ours = ours || s.index_name == g.index_name;
        if (!ours)
            out += "; global index " + g.index_name + " is not the store's: left as it is";
    }
    const events_stream_status stream = stream_status_of(found);
    if (stream.enabled && !spec.stream_specification)
        out += "; stream " +
               (stream.view_type ? detail::view_type_name(*stream.view_type)
                                 : std::string("UNKNOWN")) +
               " enabled, none configured: left as it is";
    return out;
}

// The checkpoints table's name is not one of the other tables'.
void check_checkpoints_name(const store_config& config) {
    for (const auto* other : {&config.events_table, &config.snapshots_table})
        if (config.checkpoints_table == *other)
            throw es_error(es_errc::invalid_argument, std::string("the checkpoints and ") +
                                                          role_of(config, *other) +
                                                          " tables have the same name: " + *other);
}

// A table found while it is being deleted: wait until it is gone.
awaitable<void> wait_gone(client& c, const std::string& table, const say_fn& say) {
    say(table + " is being deleted, waiting");
    co_await wait_until_table_gone(c, table, std::chrono::minutes(10),
                                   std::chrono::milliseconds(200));
}

// CreateTable; on ResourceInUse (the table exists: this call's earlier attempt
// whose answer was lost, or another process) the table is described and
// accepted when its schema matches.
awaitable<void> create_one(client& c, const store_config& config, const create_table_request& spec,
                           const say_fn& say) {
    std::exception_ptr in_use;
    for (int round = 0; round < 4; ++round) {
        say("creating " + spec.table_name);
        try {
            co_await c.create_table(spec);
            co_return;
        } catch (const resource_in_use&) {
            in_use = std::current_exception();
        }
        auto found = co_await describe_or_none(c, spec.table_name);
        if (!found)
            continue; // deleted again in between: create it
        if (found->table_status == table_status::deleting) {
            co_await wait_gone(c, spec.table_name, say);
            continue;
        }
        auto differences = schema_differences(spec, *found);
        if (!differences.empty())
            throw_mismatch(
                {mismatch_text(role_of(config, spec.table_name), spec.table_name, differences)});
        say("found " + spec.table_name + " after ResourceInUse (schema matches" +
            accepted_text(spec, *found) + ")");
        co_return;
    }
    std::rethrow_exception(in_use);
}

// With force: deletes the table if it is there, and waits until it is gone.
awaitable<void> delete_one(client& c, const std::string& table, const say_fn& say) {
    std::exception_ptr in_use;
    for (int round = 0; round < 4; ++round) {
        auto found = co_await describe_or_none(c, table);
        if (!found)
            co_return;
        if (found->table_status == table_status::deleting) {
            co_await wait_gone(c, table, say);
            co_return;
        }
        if (found->table_status != table_status::active) {
            // DeleteTable refuses a table being created or updated.
            co_await wait_until_table_active(c, table, std::chrono::minutes(10),
                                             std::chrono::milliseconds(200));
        }
        say("deleting " + table);
        try {
            co_await c.delete_table(table);
        } catch (const resource_not_found&) {
            co_return; // a retry after a lost answer: already deleted
        } catch (const resource_in_use&) {
            // Being deleted (a retry after a lost answer, on DynamoDB) or
            // changed by someone else: look again.
            in_use = std::current_exception();
            continue;
        }
        co_await wait_until_table_gone(c, table, std::chrono::minutes(10),
                                       std::chrono::milliseconds(200));
        co_return;
    }
    std::rethrow_exception(in_use);
}

bool ttl_on(const std::optional<time_to_live_description>& d) {
    return d && d->time_to_live_status &&
           (*d->time_to_live_status == time_to_live_status::enabled ||
            *d->time_to_live_status == time_to_live_status::enabling);
}

// DescribeTimeToLive, or nothing when the endpoint cannot say (it does not
// know the operation, or the caller may enable TTL but not look at it).
awaitable<std::optional<time_to_live_description>> ttl_of(client& c, const std::string& table) {
    try {
        auto r = co_await c.describe_time_to_live(table);
        co_return std::move(r.time_to_live_description);
    } catch (const unknown_operation&) {
    } catch (const access_denied&) {
    }
    co_return std::nullopt;
}

awaitable<void> ensure_ttl(client& c, const store_config& config, const say_fn& say) {
    const std::string& table = config.events_table;
    const std::string where = table + "." + config.ttl_attribute;
    auto current = co_await ttl_of(c, table);
    if (ttl_on(current)) {
        const std::string on = current->attribute_name.value_or("");
        if (on != config.ttl_attribute)
            throw_ttl_mismatch(config, on);
        say("TTL already enabled on " + where);
        co_return;
    }
    say("enabling TTL on " + where);
    std::exception_ptr refused;
    try {
        update_time_to_live_request ttl{table, {true, config.ttl_attribute}};
        co_await c.update_time_to_live(ttl);
    } catch (const validation_error&) {
        // DynamoDB refuses to enable it twice: a retry whose first answer was
        // lost, or another process. Accept it when it is on our attribute.
        refused = std::current_exception();
    }
    if (refused) {
        auto now = co_await ttl_of(c, table);
        if (!ttl_on(now) || now->attribute_name.value_or("") != config.ttl_attribute)
            std::rethrow_exception(refused);
        say("TTL already enabled on " + where);
        co_return;
    }
    say("TTL enabled on " + where);
}

std::optional<std::int64_t> number_at(const item& it, const char* name) {
    auto f = it.find(name);
    if (f == it.end() || f->second.type() != attribute_value::kind::N)
        return std::nullopt;
    return f->second.as_n().as<std::int64_t>();
}

// Records the store's layout (<ddb/es/tables.hpp>) in the meta item unless
// one is there; says when the recorded one is not the configured one.
awaitable<void> record_layout(client& c, const store_config& config, const say_fn& say) {
    const std::string& table = config.events_table;
    using namespace ddb::expr;
    update_item_request req{.table_name = table, .key = detail::meta_key()};
    parameters p;
    req.update_expression = p.render(
        expr::update()
            .set(path("lv"), if_not_exists(path("lv"), value(number(detail::layout_version))))
            .set(path("partitions"),
                 if_not_exists(path("partitions"), value(number(config.partitions))))
            .set(path("bh"), if_not_exists(path("bh"), value(number(config.bucket.count())))));
    req.condition_expression =
        p.render(attribute_not_exists(path("pk")) || attribute_exists(path("lv")));
    req.return_values = return_values::all_new;
    p.apply_to(req);
    item meta;
    try {
        meta = (co_await c.update_item(req)).attributes.value_or(item{});
    } catch (const conditional_check_failed&) {
        say(table +
            " has the old index layout (shards by id): stop every writer, then run "
            "'ddb-es migrate --events-table " +
            table + "'");
        co_return;
    }
    const auto partitions = number_at(meta, "partitions");
    const auto hours = number_at(meta, "bh");
    if (partitions && *partitions != config.partitions)
        say(table + " records " + std::to_string(*partitions) + " index partitions, not " +
            std::to_string(config.partitions) + " as configured: the recorded count is used");
    if (hours && *hours != config.bucket.count())
        say(table + " records " + std::to_string(*hours) + "-hour buckets, not " +
            std::to_string(config.bucket.count()) +
            " as configured: set store_config::bucket to the recorded one");
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
    if (config.stream) {
        check_stream_view_type(*config.stream);
        r.stream_specification = stream_specification{true, config.stream};
    }
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

create_table_request checkpoints_table_spec(const store_config& config) {
    create_table_request r = snapshots_table_spec(config); // the same key schema
    r.table_name = config.checkpoints_table;
    return r;
}

std::vector<std::string> schema_differences(const create_table_request& spec,
                                            const table_description& found) {
    std::vector<std::string> out;
    if (!same_keys(spec.key_schema, found.key_schema))
        out.push_back("key schema differs: expected " + keys_text(spec.key_schema) + "; found " +
                      keys_text(found.key_schema));
    // The types of the key attributes of the table and of its indexes
    // (attributes that are no key of the found table have no type there).
    std::vector<std::string> checked;
    auto check_types = [&](const std::vector<key_schema_element>& keys) {
        for (const auto& k : keys) {
            if (std::find(checked.begin(), checked.end(), k.attribute_name) != checked.end())
                continue;
            checked.push_back(k.attribute_name);
            const auto* expected = type_of(spec.attribute_definitions, k.attribute_name);
            const auto* has = type_of(found.attribute_definitions, k.attribute_name);
            if (expected && has && *expected != *has)
                out.push_back("key attribute " + k.attribute_name + " differs: expected type " +
                              name(*expected) + "; found " + name(*has));
        }
    };
    check_types(spec.key_schema);
    for (const auto& g : spec.global_secondary_indexes) {
        check_types(g.key_schema);
        const global_secondary_index_description* has = nullptr;
        for (const auto& f : found.global_secondary_indexes)
            if (f.index_name == g.index_name)
                has = &f;
        if (!has) {
            out.push_back("global index " + g.index_name + " missing: expected " +
                          keys_text(g.key_schema) + ", projection " +
                          projection_text(g.projection));
            continue;
        }
        if (!same_keys(g.key_schema, has->key_schema))
            out.push_back("global index " + g.index_name + " key schema differs: expected " +
                          keys_text(g.key_schema) + "; found " + keys_text(has->key_schema));
        if (!same_projection(g.projection, has->projection))
            out.push_back("global index " + g.index_name + " projection differs: expected " +
                          projection_text(g.projection) + "; found " +
                          projection_text(has->projection));
    }
    for (const auto& l : found.local_secondary_indexes) {
        bool expected = false;
        for (const auto& s : spec.local_secondary_indexes)
            expected = expected || s.index_name == l.index_name;
        if (!expected)
            out.push_back("has local index " + l.index_name +
                          ", which the store does not want (it caps each partition at 10 GB)");
    }
    for (const auto& l : spec.local_secondary_indexes) {
        bool has = false;
        for (const auto& f : found.local_secondary_indexes)
            has = has || f.index_name == l.index_name;
        if (!has)
            out.push_back("local index " + l.index_name + " missing");
    }
    return out;
}

awaitable<void> create_tables(client& c, const store_config& config, bool force,
                              std::function<void(std::string_view)> progress) {
    const say_fn say = [&progress](const std::string& line) {
        if (progress)
            progress(line);
    };
    if (config.events_table == config.snapshots_table)
        throw es_error(es_errc::invalid_argument, "the events and snapshots tables have the same "
                                                  "name: " +
                                                      config.events_table);
    check_checkpoints_name(config);
    detail::check_layout_options(config);
    const create_table_request specs[] = {events_table_spec(config), snapshots_table_spec(config),
                                          checkpoints_table_spec(config)};
    if (force)
        for (const auto& spec : specs)
            co_await delete_one(c, spec.table_name, say);
    // Look at both tables before creating anything: a table the store cannot
    // use stops the call with nothing changed.
    bool missing[std::size(specs)] = {true, true, true};
    std::vector<std::string> mismatches;
    for (std::size_t i = 0; i < std::size(specs); ++i) {
        const auto& spec = specs[i];
        auto found = co_await describe_or_none(c, spec.table_name);
        if (found && found->table_status == table_status::deleting) {
            co_await wait_gone(c, spec.table_name, say);
            found.reset();
        }
        if (!found)
            continue;
        missing[i] = false;
        auto differences = schema_differences(spec, *found);
        if (config.stream && spec.table_name == config.events_table)
            if (auto d = detail::stream_difference(*config.stream, stream_status_of(*found)))
                differences.push_back(*d);
        if (!differences.empty()) {
            mismatches.push_back(
                mismatch_text(role_of(config, spec.table_name), spec.table_name, differences));
            continue;
        }
        say("found " + spec.table_name + " (schema matches" + accepted_text(spec, *found) + ")");
    }
    if (!mismatches.empty())
        throw_mismatch(mismatches);
    for (std::size_t i = 0; i < std::size(specs); ++i)
        if (missing[i])
            co_await create_one(c, config, specs[i], say);
    for (const auto& spec : specs) {
        co_await wait_until_table_active(c, spec.table_name, std::chrono::minutes(10),
                                         std::chrono::milliseconds(200));
        say(spec.table_name + " is active");
    }
    co_await record_layout(c, config, say);
    if (config.ttl)
        co_await ensure_ttl(c, config, say);
    if (config.stream) {
        std::function<void(std::string_view)> stream_progress = [&say](std::string_view line) {
            say(std::string(line));
        };
        co_await set_events_stream(c, config, config.stream, stream_progress);
    }
}

awaitable<void> delete_tables(client& c, const store_config& config) {
    for (const auto* name :
         {&config.events_table, &config.snapshots_table, &config.checkpoints_table}) {
        try {
            co_await c.delete_table(*name);
        } catch (const resource_not_found&) {
            continue;
        }
        co_await wait_until_table_gone(c, *name);
    }
}

} // namespace ddb::es
