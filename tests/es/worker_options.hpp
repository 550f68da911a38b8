// ddb tests — projection worker options for tests: short leases, fast polls.
#pragma once

#include <ddb/es/projection_worker.hpp>

#include <chrono>
#include <string>

namespace ddb::es::test {

inline projection_worker_options fast_options(const std::string& projection,
                                              const std::string& owner) {
    using namespace std::chrono_literals;
    projection_worker_options o;
    o.projection = projection;
    o.owner = owner;
    o.lease_duration = 1500ms;
    o.renew_interval = 200ms;
    o.retry_delay = 10ms;
    o.subscription.horizon = 200ms;
    o.subscription.poll_interval = 20ms;
    o.subscription.max_poll_interval = 100ms;
    return o;
}

} // namespace ddb::es::test
