// ddb — the client layer: the DynamoDB client, its configuration, errors, retries, rate limiting,
// metrics.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/client/config.hpp>
#include <ddb/client/errors.hpp>
#include <ddb/client/metrics.hpp>
#include <ddb/client/rate_limiter.hpp>
#include <ddb/client/request_token.hpp>
#include <ddb/client/retry_policy.hpp>
#include <ddb/client/streams_client.hpp>
