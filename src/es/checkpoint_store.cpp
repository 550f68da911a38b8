#include <ddb/es/checkpoint_store.hpp>

#include <ddb/es/error.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/value/expression.hpp>

#include "detail/checkpoint_item.hpp"

#include <algorithm>
#include <exception>
#include <set>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using namespace ddb::expr;
using std::chrono::milliseconds;
using std::chrono::system_clock;

namespace {

using detail::from_ms;
using detail::to_ms;

// What `park` keeps of an error text.
constexpr std::size_t max_error_text = 16 * 1024;

attribute_value n(std::int64_t v) {
    return attribute_value(number(v));
}

// The lease's item, still the lease's: owner and fence unchanged.
condition held_by(const std::string& owner, std::int64_t fence) {
    return path("owner") == value(owner) && path("fence") == value(n(fence));
}
condition held_by(const lease& l) {
    return held_by(l.owner, l.fence);
}

std::string lease_text(const lease& l) {
    return "projection " + l.projection + " partition " + std::to_string(l.partition) + " (owner " +
           l.owner + ", fence " + std::to_string(l.fence) + ")";
}

[[noreturn]] void throw_lease_lost(const lease& l, const std::string& now) {
    throw es_error(es_errc::lease_lost,
                   "lease of " + lease_text(l) + " was lost" + now +
                       ": another worker took the partition over or it was released; nothing "
                       "was written");
}

std::string position_text(const subscription_position& p) {
    std::string out = std::to_string(p.id);
    if (!p.at_id.empty()) {
        out += " [";
        for (std::size_t i = 0; i < p.at_id.size(); ++i)
            out += (i ? ", " : "") + p.at_id[i];
        out += "]";
    }
    return out;
}

void check_lease(const lease& l) {
    detail::check_projection(l.projection);
    detail::check_partition(l.partition);
    detail::check_owner(l.owner);
}

void check_next(const lease& l, const subscription_position& next) {
    if (next.id < l.position.id)
        throw es_error(es_errc::invalid_argument,
                       "commit of " + lease_text(l) + ": position " + position_text(next) +
                           " is before the lease's position " + position_text(l.position));
}

// Cut to at most `limit` bytes, not inside a UTF-8 sequence.
std::string cut(std::string s, std::size_t limit) {
    if (s.size() <= limit)
        return s;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80)
        --end;
    s.resize(end);
    return s;
}

} // namespace

checkpoint_store::checkpoint_store(client& c, store_config config)
    : c_(c.share())
    , cfg_(std::move(config)) {}

checkpoint_store::checkpoint_store(const checkpoint_store& other)
    : c_(other.c_.share())
    , cfg_(other.cfg_) {}

namespace {

// Which lease item a take is for: a partition item is made by its first
// take; a shard item must exist (create_shard_lease) and not be finished.
enum class lease_kind { partition, shard };

// The item at `key`, read strongly consistent (nothing when absent).
awaitable<std::optional<item>> read_item(client& c, const std::string& table, item key) {
    get_item_request get{.table_name = table, .key = std::move(key), .consistent_read = true};
    auto r = co_await c.get_item(get);
    co_return std::move(r.item);
}

// Takes the free or expired lease item at `key` for `owner`, with the next
// fence; nothing when it is held (by anyone, `owner` included), or (shard)
// absent or finished.
awaitable<std::optional<item>> take(client& c, const std::string& table, item key, lease_kind kind,
                                    const std::string& owner, system_clock::time_point now,
                                    milliseconds duration) {
    update_item_request u{
        .table_name = table, .key = std::move(key), .return_values = return_values::all_new};
    update set;
    set.set(path("owner"), value(owner))
        .set(path("until"), value(n(to_ms(now + duration))))
        .set(path("fence"), if_not_exists(path("fence"), value(0)) + value(1));
    condition free = attribute_not_exists(path("owner")) || path("until") < value(n(to_ms(now)));
    if (kind == lease_kind::partition) {
        set.set(path("cp"), if_not_exists(path("cp"), value(0)))
            .set(path("cpk"),
                 if_not_exists(path("cpk"),
                               value(attribute_value::l(attribute_value::list_type{}))));
    } else {
        free = attribute_exists(path("pk")) && attribute_not_exists(path("done")) && free;
    }
    parameters p;
    u.update_expression = p.render(set);
    u.condition_expression = p.render(free);
    p.apply_to(u);
    try {
        auto r = co_await c.update_item(u);
        co_return r.attributes.value_or(item{});
    } catch (const conditional_check_failed&) {
    }
    co_return std::nullopt;
}

// Applies `set` to the lease item at `key` when it is still `owner`'s with
// `fence`; returns the item as it is afterwards, nothing when the lease
// changed meanwhile (lost).
awaitable<std::optional<item>> update_if_held(client& c, const std::string& table, item key,
                                              update set, const std::string& owner,
                                              std::int64_t fence) {
    update_item_request u{
        .table_name = table, .key = std::move(key), .return_values = return_values::all_new};
    parameters p;
    u.update_expression = p.render(set);
    u.condition_expression = p.render(held_by(owner, fence));
    p.apply_to(u);
    try {
        auto r = co_await c.update_item(u);
        co_return r.attributes.value_or(item{});
    } catch (const conditional_check_failed&) {
    }
    co_return std::nullopt;
}

awaitable<std::optional<item>> extend(client& c, const std::string& table, item key,
                                      const std::string& owner, std::int64_t fence,
                                      system_clock::time_point until) {
    update set;
    set.set(path("until"), value(n(to_ms(until))));
    co_return co_await update_if_held(c, table, std::move(key), std::move(set), owner, fence);
}

// The lease item at `key` for `owner` (the rules of `acquire` and
// `acquire_shard`): the item afterwards, or nothing.
awaitable<std::optional<item>> acquire_item(client& c, const std::string& table, const item& key,
                                            lease_kind kind, const std::string& owner,
                                            milliseconds duration) {
    // Each round: take it if free or expired; else look who holds it. The
    // item changes between the two only when another worker acts at the
    // same moment (or our own take's answer was lost and its resend met
    // the lease it had taken: then it is ours, and extended).
    for (int round = 0; round < 4; ++round) {
        const auto now = system_clock::now();
        if (auto l = co_await take(c, table, key, kind, owner, now, duration))
            co_return l;
        auto held = co_await read_item(c, table, key);
        if (!held && kind == lease_kind::shard)
            co_return std::nullopt; // no lease item (yet)
        if (!held)
            continue;
        const auto state = detail::read_lease_state(table, *held);
        if (state.done)
            co_return std::nullopt;
        if (state.owner.empty() || state.until < now)
            continue; // freed meanwhile: take it
        if (state.owner != owner)
            co_return std::nullopt;
        if (auto l = co_await extend(c, table, key, owner, state.fence, now + duration))
            co_return l;
    }
    co_return std::nullopt;
}

item partition_key(const lease& l) {
    return detail::checkpoint_key(l.projection, detail::lease_sort_key(l.partition));
}

// The partition item, read strongly consistent (nothing when absent).
awaitable<std::optional<lease>> read_partition(client& c, const std::string& table,
                                               const std::string& projection, int partition) {
    auto it = co_await read_item(
        c, table, detail::checkpoint_key(projection, detail::lease_sort_key(partition)));
    if (!it)
        co_return std::nullopt;
    co_return detail::read_lease(table, *it);
}

} // namespace

awaitable<std::optional<lease>> checkpoint_store::acquire(std::string projection, int partition,
                                                          std::string owner,
                                                          milliseconds duration) {
    detail::check_projection(projection);
    detail::check_partition(partition);
    detail::check_owner(owner);
    detail::check_duration(duration, "lease duration");
    const std::string& table = cfg_.checkpoints_table;
    auto it = co_await acquire_item(
        c_, table, detail::checkpoint_key(projection, detail::lease_sort_key(partition)),
        lease_kind::partition, owner, duration);
    if (!it)
        co_return std::nullopt;
    co_return detail::read_lease(table, *it);
}

awaitable<bool> checkpoint_store::renew(lease& l, milliseconds duration) {
    check_lease(l);
    detail::check_duration(duration, "lease duration");
    const auto until = system_clock::now() + duration;
    if (!co_await extend(c_, cfg_.checkpoints_table, partition_key(l), l.owner, l.fence, until))
        co_return false;
    l.until = from_ms(to_ms(until));
    co_return true;
}

awaitable<void> checkpoint_store::release(const lease& l) {
    check_lease(l);
    update set;
    set.remove(path("owner")).set(path("until"), value(0));
    // Nothing when lost already (or released by an earlier attempt).
    co_await update_if_held(c_, cfg_.checkpoints_table, partition_key(l), std::move(set), l.owner,
                            l.fence);
}

awaitable<void> checkpoint_store::commit(lease& l, subscription_position next) {
    check_lease(l);
    check_next(l, next);
    const auto now = system_clock::now();
    update set;
    set.set(path("cp"), value(n(next.id)))
        .set(path("cpk"), value(detail::keys_value(next)))
        .set(path("at"), value(n(to_ms(now))));
    auto done = co_await update_if_held(c_, cfg_.checkpoints_table, partition_key(l),
                                        std::move(set), l.owner, l.fence);
    if (!done)
        throw_lease_lost(l, " before committing position " + position_text(next));
    l.position = std::move(next);
    l.committed_at = from_ms(to_ms(now));
}

namespace {

// The checkpoint's part of an exactly-once commit.
transact_write_item checkpoint_update(const std::string& table, const lease& l,
                                      const subscription_position& next,
                                      system_clock::time_point now) {
    transact_update u{
        .table_name = table,
        .key = detail::checkpoint_key(l.projection, detail::lease_sort_key(l.partition))};
    parameters p;
    u.update_expression = p.render(update()
                                       .set(path("cp"), value(n(next.id)))
                                       .set(path("cpk"), value(detail::keys_value(next)))
                                       .set(path("at"), value(n(to_ms(now)))));
    u.condition_expression = p.render(held_by(l) && path("cp") == value(n(l.position.id)) &&
                                      path("cpk") == value(detail::keys_value(l.position)));
    p.apply_to(u);
    transact_write_item w;
    w.update = std::move(u);
    return w;
}

} // namespace

awaitable<void> checkpoint_store::commit(lease& l, subscription_position next,
                                         std::vector<transact_write_item> writes) {
    check_lease(l);
    check_next(l, next);
    if (next == l.position)
        // Its resend could not be told from a new commit: applied twice.
        throw es_error(es_errc::invalid_argument, "an exactly-once commit of " + lease_text(l) +
                                                      " must move the position; it is at " +
                                                      position_text(next) + " already");
    if (writes.size() > max_transaction_actions - 1)
        throw es_error(es_errc::invalid_argument,
                       "an exactly-once commit takes at most " +
                           std::to_string(max_transaction_actions - 1) + " writes (the " +
                           "checkpoint is the transaction's last action), not " +
                           std::to_string(writes.size()));
    const auto now = system_clock::now();
    transact_write_items_request t;
    t.transact_items = std::move(writes);
    t.transact_items.push_back(checkpoint_update(cfg_.checkpoints_table, l, next, now));
    t.client_request_token = detail::commit_token(l, next);
    std::exception_ptr refused;
    try {
        co_await c_.transact_write_items(t);
        l.position = std::move(next);
        l.committed_at = from_ms(to_ms(now));
        co_return;
    } catch (const transaction_canceled&) {
        refused = std::current_exception();
    } catch (const idempotent_parameter_mismatch&) {
        // The same token with other writes: an earlier attempt of this
        // commit (with other writes) may have been applied.
        refused = std::current_exception();
    }
    // Why: look at the partition as it is now.
    auto found = co_await read_partition(c_, cfg_.checkpoints_table, l.projection, l.partition);
    if (!found || found->owner != l.owner || found->fence != l.fence)
        throw_lease_lost(l, found
                                ? " (now owner " + (found->owner.empty() ? "none" : found->owner) +
                                      ", fence " + std::to_string(found->fence) + ")"
                                : " (its item is gone)");
    if (found->position == next) {
        // Our own earlier attempt (its answer was lost): applied once.
        l.position = std::move(next);
        l.committed_at = found->committed_at;
        co_return;
    }
    if (found->position != l.position)
        throw es_error(es_errc::checkpoint_moved,
                       "commit of " + lease_text(l) + " from position " +
                           position_text(l.position) + " to " + position_text(next) +
                           ": the checkpoint is at " + position_text(found->position) +
                           "; nothing was written (a stale copy of the lease?)");
    std::rethrow_exception(refused); // a condition of the caller's writes
}

awaitable<std::vector<lease>> checkpoint_store::leases(std::string projection) {
    detail::check_projection(projection);
    query_request q{.table_name = cfg_.checkpoints_table, .consistent_read = true};
    parameters p;
    q.key_condition_expression =
        p.render(path("pk") == value(projection) && begins_with(path("sk"), value("p#")));
    p.apply_to(q);
    std::vector<lease> out;
    auto items = query_items(c_, std::move(q));
    while (auto it = co_await items.next())
        out.push_back(detail::read_lease(cfg_.checkpoints_table, *it));
    co_return out;
}

awaitable<std::vector<std::string>> checkpoint_store::projections() {
    scan_request s{.table_name = cfg_.checkpoints_table};
    parameters p;
    s.projection_expression = p.render(expr::projection{path("pk")});
    p.apply_to(s);
    std::set<std::string> names;
    auto items = scan_items(c_, std::move(s));
    while (auto it = co_await items.next())
        if (auto f = it->find("pk"); f != it->end() && f->second.type() == attribute_value::kind::S)
            names.insert(f->second.as_s());
    co_return std::vector<std::string>(names.begin(), names.end());
}

awaitable<void> checkpoint_store::heartbeat(std::string projection, std::string owner,
                                            milliseconds duration) {
    detail::check_projection(projection);
    detail::check_owner(owner);
    detail::check_duration(duration, "heartbeat duration");
    put_item_request put{.table_name = cfg_.checkpoints_table,
                         .item =
                             detail::checkpoint_key(projection, detail::worker_sort_key(owner))};
    put.item["owner"] = attribute_value(owner);
    put.item["until"] = n(to_ms(system_clock::now() + duration));
    co_await c_.put_item(put);
}

awaitable<void> checkpoint_store::leave(std::string projection, std::string owner) {
    detail::check_projection(projection);
    detail::check_owner(owner);
    delete_item_request del{.table_name = cfg_.checkpoints_table,
                            .key =
                                detail::checkpoint_key(projection, detail::worker_sort_key(owner))};
    co_await c_.delete_item(del);
}

awaitable<std::vector<std::string>> checkpoint_store::live_workers(std::string projection) {
    detail::check_projection(projection);
    query_request q{.table_name = cfg_.checkpoints_table, .consistent_read = true};
    parameters p;
    q.key_condition_expression =
        p.render(path("pk") == value(projection) && begins_with(path("sk"), value("w#")));
    p.apply_to(q);
    const auto now = to_ms(system_clock::now());
    std::vector<std::string> out;
    auto items = query_items(c_, std::move(q));
    while (auto it = co_await items.next()) {
        auto owner = it->find("owner");
        auto until = it->find("until");
        if (owner == it->end() || owner->second.type() != attribute_value::kind::S ||
            until == it->end() || until->second.type() != attribute_value::kind::N)
            continue;
        if (until->second.as_n().as<std::int64_t>() >= now)
            out.push_back(owner->second.as_s());
    }
    std::sort(out.begin(), out.end());
    co_return out;
}

awaitable<void> checkpoint_store::park(std::string projection, const stored_event& e,
                                       std::string error, int attempts) {
    detail::check_projection(projection);
    if (e.id <= 0)
        throw es_error(es_errc::invalid_argument,
                       "park: the event has no id (" + std::to_string(e.id) + ")");
    if (attempts < 0)
        throw es_error(es_errc::invalid_argument,
                       "park: attempts must not be negative, not " + std::to_string(attempts));
    const std::string key = event_key(e);
    put_item_request put{
        .table_name = cfg_.checkpoints_table,
        .item = detail::checkpoint_key(projection, detail::parked_sort_key(e.id, key))};
    put.item["key"] = attribute_value(key);
    put.item["id"] = n(e.id);
    put.item["cls"] = attribute_value(e.event_class);
    put.item["err"] = attribute_value(cut(std::move(error), max_error_text));
    put.item["n"] = n(attempts);
    put.item["at"] = n(to_ms(system_clock::now()));
    co_await c_.put_item(put);
}

generator<parked_event> checkpoint_store::parked(std::string projection) {
    detail::check_projection(projection);
    query_request q{.table_name = cfg_.checkpoints_table, .consistent_read = true};
    parameters p;
    q.key_condition_expression =
        p.render(path("pk") == value(projection) && begins_with(path("sk"), value("x#")));
    p.apply_to(q);
    return generator<parked_event>(c_.executor(),
                                   [&c = c_, table = cfg_.checkpoints_table, q = std::move(q)](
                                       generator<parked_event>::sink& out) -> awaitable<void> {
                                       auto items = query_items(c, q);
                                       while (auto it = co_await items.next())
                                           co_await out.push(detail::read_parked(table, *it));
                                   });
}

awaitable<bool> checkpoint_store::unpark(std::string projection, std::int64_t id, std::string key) {
    detail::check_projection(projection);
    delete_item_request del{
        .table_name = cfg_.checkpoints_table,
        .key = detail::checkpoint_key(projection, detail::parked_sort_key(id, key)),
        .return_values = return_values::all_old};
    auto r = co_await c_.delete_item(del);
    co_return r.attributes.has_value() && !r.attributes->empty();
}

awaitable<bool> checkpoint_store::unpark(std::string projection, std::int64_t id, std::string key,
                                         std::vector<transact_write_item> writes) {
    if (writes.empty())
        co_return co_await unpark(std::move(projection), id, std::move(key));
    detail::check_projection(projection);
    if (writes.size() > 99)
        throw es_error(es_errc::invalid_argument, "unpark: at most 99 writes");
    parameters p;
    transact_write_item del;
    del.delete_ =
        transact_delete{.table_name = cfg_.checkpoints_table,
                        .key = detail::checkpoint_key(projection, detail::parked_sort_key(id, key)),
                        .condition_expression = p.render(attribute_exists(path("pk")))};
    p.apply_to(*del.delete_);
    transact_write_items_request req;
    req.transact_items = std::move(writes);
    req.transact_items.push_back(std::move(del));
    try {
        co_await c_.transact_write_items(req);
    } catch (const transaction_canceled& e) {
        const auto& reasons = e.reasons();
        if (reasons.empty() || reasons.back().code != "ConditionalCheckFailed")
            throw;
        co_return false; // not parked (any more)
    }
    co_return true;
}

awaitable<bool> checkpoint_store::request_redrive(std::string projection, std::int64_t id,
                                                  std::string key) {
    detail::check_projection(projection);
    update_item_request req{
        .table_name = cfg_.checkpoints_table,
        .key = detail::checkpoint_key(projection, detail::parked_sort_key(id, key))};
    parameters p;
    req.update_expression = p.render(expr::update().set(path("rd"), value(true)));
    req.condition_expression = p.render(attribute_exists(path("pk")));
    p.apply_to(req);
    try {
        co_await c_.update_item(req);
    } catch (const conditional_check_failed&) {
        co_return false;
    }
    co_return true;
}

// Stream shard leases.

namespace {

void check_shard_lease(const shard_lease& l) {
    detail::check_consumer(l.consumer);
    detail::check_label(l.label);
    detail::check_shard_id(l.shard_id);
    detail::check_owner(l.owner);
}

item shard_key(const shard_lease& l) {
    return detail::checkpoint_key(l.consumer, detail::shard_sort_key(l.label, l.shard_id));
}

std::string shard_text(const shard_lease& l) {
    return "consumer " + l.consumer + " shard " + l.shard_id + " (stream " + l.label + ", owner " +
           l.owner + ", fence " + std::to_string(l.fence) + ")";
}

[[noreturn]] void throw_shard_lost(const shard_lease& l, const std::string& when) {
    throw es_error(es_errc::lease_lost, "lease of " + shard_text(l) + " was lost " + when +
                                            ": another worker took the shard over or it was "
                                            "released; nothing was written");
}

void check_sequence_after(const shard_lease& l, const std::string& sq) {
    detail::check_sequence_number(sq);
    if (l.sequence_number && sequence_before(sq, *l.sequence_number))
        throw es_error(es_errc::invalid_argument,
                       "commit of " + shard_text(l) + ": sequence number " + sq +
                           " is before the checkpoint " + *l.sequence_number);
}

} // namespace

awaitable<bool> checkpoint_store::create_shard_lease(std::string consumer, std::string label,
                                                     std::string shard_id,
                                                     std::vector<std::string> parents,
                                                     shard_lease_start start) {
    detail::check_consumer(consumer);
    detail::check_label(label);
    detail::check_shard_id(shard_id);
    attribute_value::list_type par;
    for (auto& p : parents) {
        detail::check_shard_id(p);
        par.emplace_back(std::move(p));
    }
    put_item_request put{
        .table_name = cfg_.checkpoints_table,
        .item = detail::checkpoint_key(consumer, detail::shard_sort_key(label, shard_id))};
    put.item["par"] = attribute_value::l(std::move(par));
    put.item["start"] =
        attribute_value(start == shard_lease_start::latest ? "LATEST" : "TRIM_HORIZON");
    put.item["fence"] = n(0);
    put.item["n"] = n(0);
    parameters p;
    put.condition_expression = p.render(attribute_not_exists(path("pk")));
    p.apply_to(put);
    try {
        co_await c_.put_item(put);
    } catch (const conditional_check_failed&) {
        co_return false; // it exists: made by another worker or an earlier attempt
    }
    co_return true;
}

awaitable<std::optional<shard_lease>>
checkpoint_store::acquire_shard(std::string consumer, std::string label, std::string shard_id,
                                std::string owner, milliseconds duration) {
    detail::check_consumer(consumer);
    detail::check_label(label);
    detail::check_shard_id(shard_id);
    detail::check_owner(owner);
    detail::check_duration(duration, "lease duration");
    const std::string& table = cfg_.checkpoints_table;
    auto it = co_await acquire_item(
        c_, table, detail::checkpoint_key(consumer, detail::shard_sort_key(label, shard_id)),
        lease_kind::shard, owner, duration);
    if (!it)
        co_return std::nullopt;
    co_return detail::read_shard_lease(table, *it);
}

awaitable<bool> checkpoint_store::renew(shard_lease& l, milliseconds duration) {
    check_shard_lease(l);
    detail::check_duration(duration, "lease duration");
    const auto until = system_clock::now() + duration;
    if (!co_await extend(c_, cfg_.checkpoints_table, shard_key(l), l.owner, l.fence, until))
        co_return false;
    l.until = from_ms(to_ms(until));
    co_return true;
}

awaitable<void> checkpoint_store::release(const shard_lease& l) {
    if (l.done)
        co_return; // finished: it has no owner any more
    check_shard_lease(l);
    update set;
    set.remove(path("owner")).set(path("until"), value(0));
    co_await update_if_held(c_, cfg_.checkpoints_table, shard_key(l), std::move(set), l.owner,
                            l.fence);
}

awaitable<void> checkpoint_store::commit(shard_lease& l, std::string sequence_number,
                                         std::int64_t records) {
    check_shard_lease(l);
    check_sequence_after(l, sequence_number);
    if (records < 0)
        throw es_error(es_errc::invalid_argument,
                       "commit: records must not be negative, not " + std::to_string(records));
    const auto now = system_clock::now();
    update set;
    set.set(path("sq"), value(sequence_number))
        .set(path("n"), value(n(l.handled + records)))
        .set(path("at"), value(n(to_ms(now))));
    auto done = co_await update_if_held(c_, cfg_.checkpoints_table, shard_key(l), std::move(set),
                                        l.owner, l.fence);
    if (!done)
        throw_shard_lost(l, "before committing sequence number " + sequence_number);
    l.sequence_number = std::move(sequence_number);
    l.handled += records;
    l.committed_at = from_ms(to_ms(now));
}

awaitable<void> checkpoint_store::record_delivery(shard_lease& l, std::string last) {
    check_shard_lease(l);
    detail::check_sequence_number(last);
    update set;
    set.set(path("hi"), value(last));
    auto done = co_await update_if_held(c_, cfg_.checkpoints_table, shard_key(l), std::move(set),
                                        l.owner, l.fence);
    if (!done)
        throw_shard_lost(l, "before handing records up to " + last + " to the handler");
    l.delivering = std::move(last);
}

awaitable<void> checkpoint_store::finish(shard_lease& l, std::optional<std::string> last,
                                         std::optional<std::string> gap) {
    check_shard_lease(l);
    if (last)
        check_sequence_after(l, *last);
    const auto now = system_clock::now();
    update set;
    set.remove(path("owner")).set(path("until"), value(0)).set(path("done"), value(n(to_ms(now))));
    if (last)
        set.set(path("sq"), value(*last));
    if (gap)
        set.set(path("gap"), value(*gap));
    auto done = co_await update_if_held(c_, cfg_.checkpoints_table, shard_key(l), std::move(set),
                                        l.owner, l.fence);
    if (!done) {
        // An earlier attempt of this call applied (its answer was lost)?
        // Then the item is finished with our fence: nobody can take a
        // finished shard, so the fence is still ours.
        auto found = co_await read_item(c_, cfg_.checkpoints_table, shard_key(l));
        const auto state = found ? detail::read_lease_state(cfg_.checkpoints_table, *found)
                                 : detail::lease_state{};
        if (!found || !state.done || state.fence != l.fence)
            throw_shard_lost(l, "before finishing the shard");
        auto stored = detail::read_shard_lease(cfg_.checkpoints_table, *found);
        l.done = stored.done;
        l.sequence_number = stored.sequence_number;
        l.gap = stored.gap;
        l.owner.clear();
        l.until = {};
        co_return;
    }
    l.done = from_ms(to_ms(now));
    if (last)
        l.sequence_number = std::move(last);
    if (gap)
        l.gap = std::move(gap);
    l.owner.clear();
    l.until = {};
}

awaitable<std::vector<shard_lease>> checkpoint_store::shard_leases(std::string consumer,
                                                                   std::string label) {
    detail::check_consumer(consumer);
    detail::check_label(label);
    query_request q{.table_name = cfg_.checkpoints_table, .consistent_read = true};
    parameters p;
    q.key_condition_expression =
        p.render(path("pk") == value(consumer) &&
                 begins_with(path("sk"), value(detail::shard_prefix(label))));
    p.apply_to(q);
    std::vector<shard_lease> out;
    auto items = query_items(c_, std::move(q));
    while (auto it = co_await items.next())
        out.push_back(detail::read_shard_lease(cfg_.checkpoints_table, *it));
    co_return out;
}

awaitable<bool> checkpoint_store::remove_finished(const shard_lease& l) {
    detail::check_consumer(l.consumer);
    detail::check_label(l.label);
    detail::check_shard_id(l.shard_id);
    delete_item_request del{.table_name = cfg_.checkpoints_table, .key = shard_key(l)};
    parameters p;
    del.condition_expression = p.render(attribute_exists(path("done")));
    p.apply_to(del);
    try {
        co_await c_.delete_item(del);
    } catch (const conditional_check_failed&) {
        co_return false;
    }
    co_return true;
}

} // namespace ddb::es
