#include "source_dir.hpp"

namespace ddb_test {
const std::string& source_dir() {
    static const std::string dir = DDB_SOURCE_DIR;
    return dir;
}
} // namespace ddb_test
