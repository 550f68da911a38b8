// ddb — umbrella header of the SigV4 layer.
#pragma once

#include <ddb/sigv4/canonical_request.hpp>
#include <ddb/sigv4/error.hpp>
#include <ddb/sigv4/request.hpp>
#include <ddb/sigv4/settings.hpp>
#include <ddb/sigv4/signer.hpp>
#include <ddb/sigv4/signing_key.hpp>
