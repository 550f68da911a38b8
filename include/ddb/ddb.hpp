// ddb — the whole library: every layer's umbrella header, lowest first
// (docs/architecture.md). Include a layer's umbrella, or single headers, to
// compile less.
#pragma once

#include <ddb/aws.hpp>
#include <ddb/client.hpp>
#include <ddb/core.hpp>
#include <ddb/credentials.hpp>
#include <ddb/es.hpp>
#include <ddb/http.hpp>
#include <ddb/model.hpp>
#include <ddb/ops.hpp>
#include <ddb/sigv4.hpp>
#include <ddb/value.hpp>
