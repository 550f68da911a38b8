// ddb fuzz targets — shared helpers. Each target defines
// LLVMFuzzerTestOneInput; ddb's typed exceptions (ddb::error and its
// subclasses) are normal outcomes of bad input, anything else is a finding:
// a crash, a sanitizer report, another exception, a broken invariant.
#pragma once

#include <ddb/core/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define DDB_FUZZ_TARGET                                                                            \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)

namespace ddb::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// A broken invariant: report and abort (libFuzzer saves the input).
[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

#define DDB_FUZZ_CHECK(cond)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::ddb::fuzz::fail(#cond " (" __FILE__ ")");                                            \
    } while (0)

/// Runs `f`; a ddb::error is an accepted outcome (returns false), anything
/// else escapes (libFuzzer reports an uncaught exception).
template <class F>
bool typed(F&& f) {
    try {
        f();
        return true;
    } catch (const ddb::error&) {
        return false;
    }
}

} // namespace ddb::fuzz
