// ddb — the value layer: numbers, attribute values, items, mapping, expressions.
#pragma once

#include <ddb/value/attribute_value.hpp>
#include <ddb/value/error.hpp>
#include <ddb/value/expression.hpp>
#include <ddb/value/item.hpp>
#include <ddb/value/key.hpp>
#include <ddb/value/mapping.hpp>
#include <ddb/value/number.hpp>
