#include <ddb/es/shard_lease.hpp>

namespace ddb::es {

bool sequence_before(const std::string& a, const std::string& b) noexcept {
    if (a.size() != b.size())
        return a.size() < b.size();
    return a < b;
}

} // namespace ddb::es
