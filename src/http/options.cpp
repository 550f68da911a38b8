#include <ddb/core/config_error.hpp>
#include <ddb/http/options.hpp>

namespace ddb::http {

void validate(const pool_options& o, const std::string& prefix) {
    auto bad = [&](const std::string& what) {
        throw config_error(config_errc::invalid_setting, prefix + what);
    };
    auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; };
    if (o.max_connections_per_host < 1)
        bad("max_connections_per_host must be >= 1, got 0");
    if (o.max_response_bytes < 1)
        bad("max_response_bytes must be >= 1, got 0");
    if (o.connect_timeout <= std::chrono::milliseconds::zero())
        bad("connect_timeout must be > 0, got " + ms(o.connect_timeout) +
            " (milliseconds::max() for no limit)");
    if (o.idle_timeout < std::chrono::milliseconds::zero())
        bad("idle_timeout must be >= 0, got " + ms(o.idle_timeout));
    if (o.dns_cache_ttl < std::chrono::seconds::zero())
        bad("dns_cache_ttl must be >= 0, got " + std::to_string(o.dns_cache_ttl.count()) + " s");
}

} // namespace ddb::http
