// The DynamoDB repository: its parts, each in its own file: the bucket
// registry (detail/bucket_registry), the writer (detail/event_writer), the
// reader (detail/event_reader, with the k-way merge in detail/merge.hpp),
// sharing the client, the configuration and the id generator
// (detail/dynamodb_store.hpp); appends follow detail/append_plan, as the
// in-memory repository's do.
#include <ddb/es/dynamodb_event_repository.hpp>

#include <ddb/es/error.hpp>
#include <ddb/value/expression.hpp>

#include "detail/append_plan.hpp"
#include "detail/event_item.hpp"
#include "detail/event_reader.hpp"
#include "detail/event_writer.hpp"

namespace ddb::es {

using boost::asio::awaitable;
using namespace ddb::expr;

struct dynamodb_event_repository::state {
    state(client& c, store_config config, std::shared_ptr<id_generator> ids)
        : store(std::make_shared<detail::dynamodb_store>(c, std::move(config), std::move(ids)))
        , writer(*store)
        , reader(store) {}

    std::shared_ptr<detail::dynamodb_store> store; // shared with the reader's generators
    detail::event_writer writer;
    detail::event_reader reader;
};

dynamodb_event_repository::dynamodb_event_repository(client& c, store_config config,
                                                     std::shared_ptr<id_generator> ids)
    : state_(std::make_shared<state>(c, std::move(config), std::move(ids))) {}

dynamodb_event_repository::~dynamodb_event_repository() = default;

const store_config& dynamodb_event_repository::config() const noexcept {
    return state_->store->cfg;
}

awaitable<bucket_range> dynamodb_event_repository::global_buckets(std::int64_t starting_from) {
    co_return co_await state_->store->buckets.range(starting_from);
}

awaitable<stored_event> dynamodb_event_repository::find(std::int64_t id) {
    co_return co_await state_->reader.find(id);
}

generator<stored_event> dynamodb_event_repository::retrieve_all(std::optional<std::string> uuid,
                                                                read_options o) {
    if (!uuid)
        return state_->reader.global_events(0, o);
    auto req = state_->reader.aggregate_query(*uuid, o);
    parameters p;
    req.key_condition_expression = p.render(path("pk") == value(*uuid));
    p.apply_to(req);
    return state_->reader.aggregate_events(std::move(req));
}

generator<stored_event> dynamodb_event_repository::retrieve_all_starting_from(
    std::int64_t from, std::optional<std::string> uuid, read_options o) {
    if (!uuid)
        return state_->reader.global_events(from, o);
    auto req = state_->reader.aggregate_query(*uuid, o);
    parameters p;
    req.key_condition_expression = p.render(path("pk") == value(*uuid));
    req.filter_expression = p.render(path("id") >= value(number(from)));
    p.apply_to(req);
    return state_->reader.aggregate_events(std::move(req));
}

generator<stored_event> dynamodb_event_repository::retrieve_all_after_version(std::int64_t version,
                                                                              std::string uuid,
                                                                              read_options o) {
    auto req = state_->reader.aggregate_query(uuid, o);
    parameters p;
    req.key_condition_expression =
        p.render(path("pk") == value(uuid) && path("v") > value(number(version)));
    p.apply_to(req);
    return state_->reader.aggregate_events(std::move(req));
}

awaitable<std::int64_t>
dynamodb_event_repository::count_all_starting_from(std::int64_t from,
                                                   std::optional<std::string> uuid) {
    co_return co_await state_->reader.count(from, std::move(uuid));
}

awaitable<std::vector<stored_event>>
dynamodb_event_repository::append(std::string uuid, expected_version expected,
                                  std::vector<new_event> events) {
    co_await state_->store->buckets.for_writes();
    co_return co_await state_->writer.append(std::move(uuid), expected, std::move(events));
}

awaitable<std::vector<std::vector<stored_event>>>
dynamodb_event_repository::append_all(std::vector<append_request> requests) {
    co_await state_->store->buckets.for_writes();
    co_return co_await state_->writer.append_all(std::move(requests));
}

awaitable<stored_event> dynamodb_event_repository::persist(new_event event,
                                                           std::optional<std::string> uuid) {
    std::vector<new_event> one;
    one.push_back(std::move(event));
    if (uuid) {
        auto stored = co_await append(std::move(*uuid), expected_version::any(), std::move(one));
        co_return std::move(stored.front());
    }
    detail::check_ids(one);
    co_await state_->store->buckets.for_writes();
    co_return co_await state_->writer.store_without_aggregate(std::move(one.front()));
}

awaitable<std::vector<stored_event>>
dynamodb_event_repository::persist_many(std::vector<new_event> events,
                                        std::optional<std::string> uuid) {
    if (uuid)
        co_return co_await append(std::move(*uuid), expected_version::any(), std::move(events));
    co_await state_->store->buckets.for_writes();
    co_return co_await state_->writer.store_without_aggregate(std::move(events));
}

awaitable<stored_event> dynamodb_event_repository::update(stored_event event) {
    co_await state_->store->buckets.for_writes();
    co_return co_await state_->writer.update(std::move(event));
}

awaitable<std::int64_t> dynamodb_event_repository::latest_aggregate_version(std::string uuid) {
    detail::check_uuid(uuid);
    co_await state_->store->buckets.check();
    co_return co_await state_->writer.latest(uuid);
}

awaitable<int> dynamodb_event_repository::partition_count() {
    co_return co_await state_->store->buckets.partitions();
}

boost::asio::any_io_executor dynamodb_event_repository::get_executor() const {
    return state_->store->c.executor();
}

std::int64_t dynamodb_event_repository::new_id() {
    return state_->store->ids->next_id();
}

} // namespace ddb::es
