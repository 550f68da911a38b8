// ddb — the one translation unit that compiles Boost.Process v2's
// non-template code (see process_v2.hpp).
#include "process_v2.hpp"

#include <boost/process/v2/src.hpp>
