// ddb — umbrella header of the HTTP transport layer.
#pragma once

#include <ddb/http/checks.hpp>
#include <ddb/http/error.hpp>
#include <ddb/http/integrity.hpp>
#include <ddb/http/message.hpp>
#include <ddb/http/options.hpp>
#include <ddb/http/transport.hpp>
