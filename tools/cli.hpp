// What ddb-es and ddb-sign share: the version, the two kinds of failure and
// their exit statuses, checked writes to stdout, help text layout.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#ifndef DDB_VERSION
#error "DDB_VERSION (the project's version) is defined by tools/CMakeLists.txt"
#endif

namespace ddb::cli {

/// project(VERSION) of the top-level CMakeLists.txt.
inline constexpr const char* version = DDB_VERSION;

/// A command line that cannot be run: a short message and a hint, exit 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Output that did not arrive (disk full, closed pipe, I/O error): exit 1.
struct output_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline output_error stdout_failed(int err) {
    return output_error("writing to stdout: " + std::string(std::strerror(err ? err : EIO)));
}

/// Writes to stdout (buffered); a failed write throws `output_error`.
inline void out(std::string_view text) {
    if (text.empty())
        return;
    errno = 0;
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size())
        throw stdout_failed(errno);
}

/// Flushes stdout now (a line a follower waits for); a failed write throws
/// `output_error`.
inline void flush_stdout() {
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        throw stdout_failed(errno);
}

/// Flushes and closes stdout, so that what was buffered is known to be
/// written: a full disk or a closed pipe show here, not only on exit.
inline void close_stdout() {
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        throw stdout_failed(errno);
    errno = 0;
    if (std::fclose(stdout) != 0)
        throw stdout_failed(errno);
}

/// `text` wrapped at `width` columns, each line after the first indented
/// by `indent` spaces (the first continues the caller's line).
inline std::string wrap(std::string_view text, std::size_t indent, std::size_t width = 79) {
    std::string result, line;
    std::size_t column = indent;
    while (!text.empty()) {
        auto space = text.find(' ');
        std::string_view word = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
        if (!line.empty() && column + 1 + word.size() > width) {
            result += line + "\n" + std::string(indent, ' ');
            line.clear();
            column = indent;
        }
        if (!line.empty()) {
            line += ' ';
            ++column;
        }
        line += word;
        column += word.size();
    }
    return result + line;
}

/// One option in a help text: "  --name VALUE   help", wrapped.
inline std::string option_line(std::string_view name, std::string_view value,
                               std::string_view help) {
    constexpr std::size_t help_column = 24;
    std::string head = "  " + std::string(name);
    if (!value.empty())
        head += " " + std::string(value);
    if (head.size() + 2 > help_column)
        head += "\n" + std::string(help_column, ' ');
    else
        head.resize(help_column, ' ');
    return head + wrap(help, help_column) + "\n";
}

} // namespace ddb::cli
