// The old include paths (forwarding headers, docs/architecture.md) still
// compile for code written against them, including the unqualified JSON
// forms that moved to ddb::raw. Compiled with the test build; not run.
#include <ddb/attribute_value.hpp>
#include <ddb/batch.hpp>
#include <ddb/client.hpp>
#include <ddb/client_config.hpp>
#include <ddb/config_error.hpp>
#include <ddb/container_provider.hpp>
#include <ddb/default_credentials.hpp>
#include <ddb/detail/saturating_time.hpp>
#include <ddb/detail/type_traits.hpp>
#include <ddb/endpoint.hpp>
#include <ddb/errors.hpp>
#include <ddb/expression.hpp>
#include <ddb/generator.hpp>
#include <ddb/instance_metadata_provider.hpp>
#include <ddb/item.hpp>
#include <ddb/mapping.hpp>
#include <ddb/metrics.hpp>
#include <ddb/number.hpp>
#include <ddb/paginator.hpp>
#include <ddb/rate_limiter.hpp>
#include <ddb/region.hpp>
#include <ddb/retry_policy.hpp>
#include <ddb/table_waiter.hpp>
#include <ddb/transaction.hpp>
#include <ddb/value_error.hpp>

namespace old_paths {

boost::asio::awaitable<void> uses(ddb::client& c) {
    boost::json::object query{{"TableName", "t"}};
    auto json_items = ddb::query_items(c, query);
    ddb::query_request typed;
    typed.table_name = "t";
    auto typed_pages = ddb::query_pages(c, typed);
    boost::json::array actions;
    co_await ddb::transact_write(c, actions);
}

} // namespace old_paths
