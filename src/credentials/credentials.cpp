#include <ddb/core/redacted.hpp>
#include <ddb/credentials/credentials.hpp>

namespace ddb {

std::ostream& operator<<(std::ostream& os, const credentials& c) {
    os << "credentials{access_key_id=" << c.access_key_id
       << ", secret_access_key=" << redacted{c.secret_access_key}
       << ", session_token=" << redacted{c.session_token} << ", source=" << c.source;
    if (c.expiration)
        os << ", expires_in_s="
           << std::chrono::duration_cast<std::chrono::seconds>(*c.expiration -
                                                               std::chrono::system_clock::now())
                  .count();
    return os << '}';
}

} // namespace ddb
