// ddb — the typed requests and responses of every DynamoDB operation ddb offers.
#pragma once

#include <ddb/model/batch_items.hpp>
#include <ddb/model/common.hpp>
#include <ddb/model/get_item.hpp>
#include <ddb/model/get_records_page.hpp>
#include <ddb/model/query_scan.hpp>
#include <ddb/model/streams.hpp>
#include <ddb/model/table_description.hpp>
#include <ddb/model/table_operations.hpp>
#include <ddb/model/table_schema.hpp>
#include <ddb/model/time_to_live.hpp>
#include <ddb/model/transact_items.hpp>
#include <ddb/model/write_item.hpp>
