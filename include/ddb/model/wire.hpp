// ddb — the DynamoDB JSON form of the typed requests and responses: what the
// client sends and reads. Wire names come from member names (table_name ->
// TableName); the member lists are the model's (src/model/detail/describe.hpp).
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model.hpp>

#include <boost/json/fwd.hpp>

#include <string>
#include <string_view>

namespace ddb::model {

/// A field of an answer that is missing or of the wrong type. `path` names
/// it from the top ("Table.KeySchema[0].KeyType"); the client turns this
/// into `malformed_response`.
struct wire_error {
    std::string path;
    std::string problem;
};

// Every request and response type of the model, once each (aliases such as
// put_item_response = write_item_response are not repeated).
// clang-format off
#define DDB_MODEL_WIRE_TYPES(X) \
    X(get_item_request) \
    X(get_item_response) \
    X(write_item_response) \
    X(put_item_request) \
    X(update_item_request) \
    X(delete_item_request) \
    X(query_request) \
    X(scan_request) \
    X(query_response) \
    X(batch_get_item_request) \
    X(batch_get_item_response) \
    X(batch_write_item_request) \
    X(batch_write_item_response) \
    X(transact_get_items_request) \
    X(transact_get_items_response) \
    X(transact_write_items_request) \
    X(transact_write_items_response) \
    X(create_table_request) \
    X(create_table_response) \
    X(describe_table_request) \
    X(describe_table_response) \
    X(update_table_request) \
    X(update_table_response) \
    X(delete_table_request) \
    X(delete_table_response) \
    X(list_tables_request) \
    X(list_tables_response) \
    X(update_time_to_live_request) \
    X(update_time_to_live_response) \
    X(describe_time_to_live_request) \
    X(describe_time_to_live_response) \
    X(list_streams_request) \
    X(list_streams_response) \
    X(describe_stream_request) \
    X(describe_stream_response) \
    X(get_shard_iterator_request) \
    X(get_shard_iterator_response) \
    X(get_records_request) \
    X(get_records_response)
// clang-format on

/// `v`'s members, by wire name, added to `out` (absent optionals, empty
/// containers and defaults DynamoDB does not need are left out).
/// @throws value_error for a value with no wire form (an `unknown` enum).
#define DDB_MODEL_WIRE_DECLARE(T)                                                                  \
    void encode(const T& v, boost::json::object& out);                                             \
    /** `out` from an answer's JSON. @throws wire_error, value_error. */                           \
    void decode(const boost::json::value& answer, T& out);
DDB_MODEL_WIRE_TYPES(DDB_MODEL_WIRE_DECLARE)
#undef DDB_MODEL_WIRE_DECLARE

/// GetRecords' answer decoded straight from its JSON text (a SAX parse, no
/// JSON tree), nesting at most `max_depth` levels: true when done. False
/// (`out` left empty) for any text it is not sure to decode as `decode` does
/// (invalid JSON, a malformed or unusual answer): parse it and call `decode`,
/// which decodes it or throws naming the problem. Reuses a parser per thread.
bool decode_text(std::string_view text, get_records_response& out, unsigned max_depth);

// Every enumeration of the model with a wire form.
// clang-format off
#define DDB_MODEL_WIRE_ENUMS(X) \
    X(return_values) \
    X(return_consumed_capacity) \
    X(return_item_collection_metrics) \
    X(return_values_on_condition_check_failure) \
    X(select) \
    X(scalar_attribute_type) \
    X(key_type) \
    X(projection_type) \
    X(billing_mode) \
    X(stream_view_type) \
    X(table_status) \
    X(index_status) \
    X(time_to_live_status) \
    X(stream_status) \
    X(shard_iterator_type) \
    X(stream_event_name) \
    X(shard_filter_type)
// clang-format on

/// The value as DynamoDB spells it (key_type::hash -> "HASH",
/// billing_mode::pay_per_request -> "PAY_PER_REQUEST"): the name `encode`
/// sends and `decode` reads. Empty for `unknown` (a value DynamoDB sent that
/// this library does not know).
#define DDB_MODEL_WIRE_ENUM_DECLARE(E) std::string_view to_wire(E value);
DDB_MODEL_WIRE_ENUMS(DDB_MODEL_WIRE_ENUM_DECLARE)
#undef DDB_MODEL_WIRE_ENUM_DECLARE

} // namespace ddb::model
