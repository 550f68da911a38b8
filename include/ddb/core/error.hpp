// ddb — the root of every exception ddb throws.
// Thread safety: exceptions and codes are immutable once built: safe to
// share between threads.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <string>

namespace ddb {

using error_code = boost::system::error_code;

/// Base of every ddb exception. It is a `system_error`, so `code()` gives a
/// stable, comparable error code and `what()` a human-readable message.
/// Messages never contain secrets (keys, tokens, signatures).
class error : public boost::system::system_error {
public:
    error(error_code ec, const std::string& message)
        : system_error(ec, message)
        , message_(message) {}

    /// The message as given, without the code's text appended (that is in
    /// `code().message()`).
    const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

} // namespace ddb
