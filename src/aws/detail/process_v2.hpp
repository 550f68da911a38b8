// ddb — private: Boost.Process v2 as ddb builds it. Include this, never
// <boost/process/v2/...> directly, so every user sees the same settings:
// std::filesystem (no Boost.Filesystem to link) and separate compilation
// (the library's non-template code is in process_v2.cpp only).
#pragma once

#ifndef BOOST_PROCESS_USE_STD_FS
#define BOOST_PROCESS_USE_STD_FS 1
#endif
#ifndef BOOST_PROCESS_V2_SEPARATE_COMPILATION
#define BOOST_PROCESS_V2_SEPARATE_COMPILATION 1
#endif

// Boost 1.81's Process v2 with BOOST_PROCESS_USE_STD_FS names
// boost::optional and unqualified type traits (boost::decay, ...) that only
// the Boost.Filesystem headers it then skips would have brought in, and
// asio::detail::throw_error without including it.
#include <boost/asio/detail/throw_error.hpp>
#include <boost/optional.hpp>
#include <boost/type_traits.hpp>

#include <boost/process/v2/process.hpp>
#include <boost/process/v2/process_handle.hpp>
#include <boost/process/v2/stdio.hpp>
