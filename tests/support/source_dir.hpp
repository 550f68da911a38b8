// The source tree's path, for tests that run the repository's scripts or read
// its test data. Defined in one translation unit only (tests/support/
// source_dir.cpp), so that no other test's compile command names the
// checkout's path and ccache can share objects between checkouts.
#pragma once

#include <string>

namespace ddb_test {
const std::string& source_dir();
} // namespace ddb_test
