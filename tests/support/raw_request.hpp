// ddb tests — parses the raw HTTP requests of the SigV4 test suite (.req files).
#pragma once

#include <ddb/sigv4/request.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ddb::test {

/// An owning parsed request; `view()` gives the signer's non-owning view.
struct raw_request {
    std::string method, path, query, body;
    std::vector<std::pair<std::string, std::string>> header_storage;
    std::vector<sigv4::header> headers;

    sigv4::request view() const {
        sigv4::request r;
        r.method = method;
        r.path = path;
        r.query = query;
        r.headers = headers;
        r.payload = body;
        return r;
    }
};

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Parses "METHOD path[?query] HTTP/1.1", "Name:value" lines (obs-fold
/// continuation lines joined by one space), a blank line, then the body.
/// The request line's path may contain raw spaces (normalize-path/get-space),
/// so it is everything between the first space and the last " HTTP/".
inline raw_request parse_raw_request(const std::string& text) {
    raw_request r;
    std::size_t pos = text.find('\n');
    std::string line = text.substr(0, pos);
    auto sp = line.find(' ');
    auto proto = line.rfind(" HTTP/");
    if (sp == std::string::npos || proto == std::string::npos || proto <= sp)
        throw std::runtime_error("bad request line: " + line);
    r.method = line.substr(0, sp);
    std::string target = line.substr(sp + 1, proto - sp - 1);
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos)
        r.query = target.substr(q + 1);
    while (pos != std::string::npos) {
        std::size_t next = text.find('\n', pos + 1);
        line = text.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
        pos = next;
        if (line.empty()) { // end of headers
            if (pos != std::string::npos)
                r.body = text.substr(pos + 1);
            break;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            auto b = line.find_first_not_of(" \t");
            r.header_storage.back().second += " " + line.substr(b);
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string::npos)
            throw std::runtime_error("bad header line: " + line);
        r.header_storage.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    for (auto& [n, v] : r.header_storage)
        r.headers.push_back({n, v});
    return r;
}

} // namespace ddb::test
