// ddb — the core layer: errors, categories, redaction, configuration errors.
#pragma once

#include <ddb/core/config_error.hpp>
#include <ddb/core/error.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/core/redacted.hpp>
#include <ddb/core/saturating_time.hpp>
#include <ddb/core/type_traits.hpp>
