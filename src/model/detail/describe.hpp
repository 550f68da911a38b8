// Internal: Boost.Describe annotations of the typed model (kept out of the
// public headers, which stay plain structs). The member lists below are the
// wire format: a member missing here is never sent nor read.
#pragma once

#include <ddb/model.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

namespace ddb {

BOOST_DESCRIBE_ENUM(return_values, none, all_old, updated_old, all_new, updated_new)
BOOST_DESCRIBE_ENUM(return_consumed_capacity, indexes, total, none)
BOOST_DESCRIBE_ENUM(return_item_collection_metrics, size, none)
BOOST_DESCRIBE_ENUM(return_values_on_condition_check_failure, all_old, none)
BOOST_DESCRIBE_ENUM(select, all_attributes, all_projected_attributes, specific_attributes, count)
BOOST_DESCRIBE_ENUM(scalar_attribute_type, s, n, b)
BOOST_DESCRIBE_ENUM(key_type, hash, range)
BOOST_DESCRIBE_ENUM(projection_type, all, keys_only, include)
BOOST_DESCRIBE_ENUM(billing_mode, provisioned, pay_per_request)
BOOST_DESCRIBE_ENUM(stream_view_type, new_image, old_image, new_and_old_images, keys_only)
BOOST_DESCRIBE_ENUM(table_status, creating, updating, deleting, active,
                    inaccessible_encryption_credentials, archiving, archived)
BOOST_DESCRIBE_ENUM(index_status, creating, updating, deleting, active)
BOOST_DESCRIBE_ENUM(time_to_live_status, enabling, disabling, enabled, disabled)
BOOST_DESCRIBE_ENUM(stream_status, enabling, enabled, disabling, disabled)
BOOST_DESCRIBE_ENUM(shard_iterator_type, trim_horizon, latest, at_sequence_number,
                    after_sequence_number)
BOOST_DESCRIBE_ENUM(stream_event_name, insert, modify, remove)
BOOST_DESCRIBE_ENUM(shard_filter_type, child_shards)

BOOST_DESCRIBE_STRUCT(capacity, (), (read_capacity_units, write_capacity_units, capacity_units))
BOOST_DESCRIBE_STRUCT(consumed_capacity, (),
                      (table_name, capacity_units, read_capacity_units, write_capacity_units, table,
                       local_secondary_indexes, global_secondary_indexes))
BOOST_DESCRIBE_STRUCT(item_collection_metrics, (), (item_collection_key, size_estimate_range_gb))

BOOST_DESCRIBE_STRUCT(get_item_request, (),
                      (table_name, key, consistent_read, projection_expression,
                       expression_attribute_names, return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(get_item_response, (), (item, consumed_capacity))

BOOST_DESCRIBE_STRUCT(write_item_response, (),
                      (attributes, consumed_capacity, item_collection_metrics))
BOOST_DESCRIBE_STRUCT(put_item_request, (),
                      (table_name, item, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values, return_consumed_capacity,
                       return_item_collection_metrics, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(update_item_request, (),
                      (table_name, key, update_expression, condition_expression,
                       expression_attribute_names, expression_attribute_values, return_values,
                       return_consumed_capacity, return_item_collection_metrics,
                       return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(delete_item_request, (),
                      (table_name, key, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values, return_consumed_capacity,
                       return_item_collection_metrics, return_values_on_condition_check_failure))

BOOST_DESCRIBE_STRUCT(query_request, (),
                      (table_name, index_name, select, key_condition_expression, filter_expression,
                       projection_expression, expression_attribute_names,
                       expression_attribute_values, limit, consistent_read, scan_index_forward,
                       exclusive_start_key, return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(scan_request, (),
                      (table_name, index_name, select, filter_expression, projection_expression,
                       expression_attribute_names, expression_attribute_values, limit,
                       consistent_read, segment, total_segments, exclusive_start_key,
                       return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(query_response, (),
                      (items, count, scanned_count, last_evaluated_key, consumed_capacity))

BOOST_DESCRIBE_STRUCT(keys_and_attributes, (),
                      (keys, consistent_read, projection_expression, expression_attribute_names))
BOOST_DESCRIBE_STRUCT(batch_get_item_request, (), (request_items, return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(batch_get_item_response, (), (responses, unprocessed_keys, consumed_capacity))
BOOST_DESCRIBE_STRUCT(put_request, (), (item))
BOOST_DESCRIBE_STRUCT(delete_request, (), (key))
BOOST_DESCRIBE_STRUCT(write_request_entry, (), (put_request, delete_request))
BOOST_DESCRIBE_STRUCT(batch_write_item_request, (),
                      (request_items, return_consumed_capacity, return_item_collection_metrics))
BOOST_DESCRIBE_STRUCT(batch_write_item_response, (),
                      (unprocessed_items, item_collection_metrics, consumed_capacity))

BOOST_DESCRIBE_STRUCT(transact_get, (),
                      (table_name, key, projection_expression, expression_attribute_names))
BOOST_DESCRIBE_STRUCT(transact_get_item, (), (get))
BOOST_DESCRIBE_STRUCT(transact_get_items_request, (), (transact_items, return_consumed_capacity))
BOOST_DESCRIBE_STRUCT(item_response, (), (item))
BOOST_DESCRIBE_STRUCT(transact_get_items_response, (), (responses, consumed_capacity))
BOOST_DESCRIBE_STRUCT(transact_put, (),
                      (table_name, item, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(transact_update, (),
                      (table_name, key, update_expression, condition_expression,
                       expression_attribute_names, expression_attribute_values,
                       return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(transact_delete, (),
                      (table_name, key, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(condition_check, (),
                      (table_name, key, condition_expression, expression_attribute_names,
                       expression_attribute_values, return_values_on_condition_check_failure))
BOOST_DESCRIBE_STRUCT(transact_write_item, (), (put, update, delete_, condition_check))
BOOST_DESCRIBE_STRUCT(transact_write_items_request, (),
                      (transact_items, client_request_token, return_consumed_capacity,
                       return_item_collection_metrics))
BOOST_DESCRIBE_STRUCT(transact_write_items_response, (),
                      (consumed_capacity, item_collection_metrics))

BOOST_DESCRIBE_STRUCT(attribute_definition, (), (attribute_name, attribute_type))
BOOST_DESCRIBE_STRUCT(key_schema_element, (), (attribute_name, key_type))
BOOST_DESCRIBE_STRUCT(projection, (), (projection_type, non_key_attributes))
BOOST_DESCRIBE_STRUCT(provisioned_throughput, (), (read_capacity_units, write_capacity_units))
BOOST_DESCRIBE_STRUCT(global_secondary_index, (),
                      (index_name, key_schema, projection, provisioned_throughput))
BOOST_DESCRIBE_STRUCT(local_secondary_index, (), (index_name, key_schema, projection))
BOOST_DESCRIBE_STRUCT(stream_specification, (), (stream_enabled, stream_view_type))
BOOST_DESCRIBE_STRUCT(tag, (), (key, value))

BOOST_DESCRIBE_STRUCT(provisioned_throughput_description, (),
                      (last_increase_date_time, last_decrease_date_time, number_of_decreases_today,
                       read_capacity_units, write_capacity_units))
BOOST_DESCRIBE_STRUCT(billing_mode_summary, (),
                      (billing_mode, last_update_to_pay_per_request_date_time))
BOOST_DESCRIBE_STRUCT(global_secondary_index_description, (),
                      (index_name, key_schema, projection, index_status, backfilling,
                       provisioned_throughput, index_size_bytes, item_count, index_arn))
BOOST_DESCRIBE_STRUCT(local_secondary_index_description, (),
                      (index_name, key_schema, projection, index_size_bytes, item_count, index_arn))
BOOST_DESCRIBE_STRUCT(table_description, (),
                      (table_name, table_status, attribute_definitions, key_schema,
                       creation_date_time, provisioned_throughput, table_size_bytes, item_count,
                       table_arn, table_id, billing_mode_summary, local_secondary_indexes,
                       global_secondary_indexes, stream_specification, latest_stream_label,
                       latest_stream_arn, deletion_protection_enabled))

BOOST_DESCRIBE_STRUCT(create_table_request, (),
                      (table_name, attribute_definitions, key_schema, local_secondary_indexes,
                       global_secondary_indexes, billing_mode, provisioned_throughput,
                       stream_specification, tags, deletion_protection_enabled))
BOOST_DESCRIBE_STRUCT(create_table_response, (), (table_description))
BOOST_DESCRIBE_STRUCT(describe_table_request, (), (table_name))
BOOST_DESCRIBE_STRUCT(describe_table_response, (), (table))
BOOST_DESCRIBE_STRUCT(update_global_secondary_index_action, (),
                      (index_name, provisioned_throughput))
BOOST_DESCRIBE_STRUCT(delete_global_secondary_index_action, (), (index_name))
BOOST_DESCRIBE_STRUCT(global_secondary_index_update, (), (create, update, delete_))
BOOST_DESCRIBE_STRUCT(update_table_request, (),
                      (table_name, attribute_definitions, billing_mode, provisioned_throughput,
                       global_secondary_index_updates, stream_specification,
                       deletion_protection_enabled))
BOOST_DESCRIBE_STRUCT(update_table_response, (), (table_description))
BOOST_DESCRIBE_STRUCT(delete_table_request, (), (table_name))
BOOST_DESCRIBE_STRUCT(delete_table_response, (), (table_description))
BOOST_DESCRIBE_STRUCT(list_tables_request, (), (exclusive_start_table_name, limit))
BOOST_DESCRIBE_STRUCT(list_tables_response, (), (table_names, last_evaluated_table_name))

BOOST_DESCRIBE_STRUCT(time_to_live_specification, (), (enabled, attribute_name))
BOOST_DESCRIBE_STRUCT(update_time_to_live_request, (), (table_name, time_to_live_specification))
BOOST_DESCRIBE_STRUCT(update_time_to_live_response, (), (time_to_live_specification))
BOOST_DESCRIBE_STRUCT(describe_time_to_live_request, (), (table_name))
BOOST_DESCRIBE_STRUCT(time_to_live_description, (), (time_to_live_status, attribute_name))
BOOST_DESCRIBE_STRUCT(describe_time_to_live_response, (), (time_to_live_description))

// DynamoDB Streams (GetRecords' answer is decoded by hand: streams_codec.cpp).
BOOST_DESCRIBE_STRUCT(list_streams_request, (), (table_name, limit, exclusive_start_stream_arn))
BOOST_DESCRIBE_STRUCT(stream_summary, (), (stream_arn, table_name, stream_label))
BOOST_DESCRIBE_STRUCT(list_streams_response, (), (streams, last_evaluated_stream_arn))
BOOST_DESCRIBE_STRUCT(shard_filter, (), (type, shard_id))
BOOST_DESCRIBE_STRUCT(describe_stream_request, (),
                      (stream_arn, limit, exclusive_start_shard_id, shard_filter))
BOOST_DESCRIBE_STRUCT(sequence_number_range, (), (starting_sequence_number, ending_sequence_number))
BOOST_DESCRIBE_STRUCT(shard, (), (shard_id, sequence_number_range, parent_shard_id))
BOOST_DESCRIBE_STRUCT(stream_description, (),
                      (stream_arn, stream_label, stream_status, stream_view_type,
                       creation_request_date_time, table_name, key_schema, shards,
                       last_evaluated_shard_id))
BOOST_DESCRIBE_STRUCT(describe_stream_response, (), (stream_description))
BOOST_DESCRIBE_STRUCT(get_shard_iterator_request, (),
                      (stream_arn, shard_id, shard_iterator_type, sequence_number))
BOOST_DESCRIBE_STRUCT(get_shard_iterator_response, (), (shard_iterator))
BOOST_DESCRIBE_STRUCT(get_records_request, (), (shard_iterator, limit))

} // namespace ddb
