//
// ddb-sign — prints the SigV4 stages of a DynamoDB request: canonical request,
// string to sign and Authorization header. Compare them with the canonical
// request a SignatureDoesNotMatch error shows to find why a signature differs.
//
//   ddb-sign [--target OPERATION] [--body JSON | --body-file FILE]
//            [--region R] [--service S] [--endpoint URL] [--time yyyymmddThhmmssZ]
//            [--header "Name: value"]...
//
// Credentials come from the default chain (environment, profile files).
//
#include <ddb/core/redacted.hpp>
#include <ddb/credentials.hpp>
#include <ddb/default_credentials.hpp>
#include <ddb/endpoint.hpp>
#include <ddb/region.hpp>
#include <ddb/sigv4.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

namespace {

std::chrono::system_clock::time_point parse_time(const std::string& s) {
    std::tm tm{};
    std::istringstream in(s);
    in >> std::get_time(&tm, "%Y%m%dT%H%M%SZ");
    if (in.fail())
        throw std::invalid_argument("--time wants yyyymmddThhmmssZ, got " + s);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

int usage() {
    std::cerr << "usage: ddb-sign [--target OP] [--body JSON | --body-file FILE] [--region R]\n"
                 "                [--service S] [--endpoint URL] [--time yyyymmddThhmmssZ]\n"
                 "                [--header 'Name: value']...\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) try {
    std::string target = "ListTables", body = "{}", service = "dynamodb";
    std::optional<std::string> region, endpoint_url;
    auto time = std::chrono::system_clock::now();
    std::vector<std::pair<std::string, std::string>> extra;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (i + 1 >= argc)
            return usage();
        std::string value = argv[++i];
        if (arg == "--target")
            target = value;
        else if (arg == "--body")
            body = value;
        else if (arg == "--body-file") {
            std::ifstream f(value, std::ios::binary);
            if (!f)
                throw std::invalid_argument("cannot read " + value);
            body.assign(std::istreambuf_iterator<char>(f), {});
        } else if (arg == "--region")
            region = value;
        else if (arg == "--service")
            service = value;
        else if (arg == "--endpoint")
            endpoint_url = value;
        else if (arg == "--time")
            time = parse_time(value);
        else if (arg == "--header") {
            auto colon = value.find(':');
            if (colon == std::string::npos)
                return usage();
            auto v = value.substr(colon + 1);
            extra.emplace_back(value.substr(0, colon),
                               v.substr(std::min(v.find_first_not_of(' '), v.size())));
        } else
            return usage();
    }

    std::string reg = ddb::resolve_region(region);
    ddb::endpoint ep = ddb::resolve_endpoint(endpoint_url, reg);
    auto provider = ddb::make_default_credentials_chain();
    boost::asio::io_context ioc;
    std::optional<ddb::credentials> creds;
    boost::asio::co_spawn(ioc, provider->fetch(), [&](std::exception_ptr e, ddb::credentials c) {
        if (e)
            std::rethrow_exception(e);
        creds = std::move(c);
    });
    ioc.run();

    std::string host = ep.host_header(), full_target = "DynamoDB_20120810." + target;
    std::vector<ddb::sigv4::header> headers = {{"host", host},
                                               {"content-type", "application/x-amz-json-1.0"},
                                               {"x-amz-target", full_target}};
    for (auto& [n, v] : extra)
        headers.push_back({n, v});
    ddb::sigv4::request req;
    req.path = ep.path;
    req.headers = headers;
    req.payload = body;
    ddb::sigv4::signing_trace trace;
    auto out = ddb::sigv4::sign(req, {*creds, reg, service, time}, nullptr, &trace);
    // The canonical request holds the signed x-amz-security-token: print it
    // redacted, like every other secret (the string to sign has its hash).
    std::string canonical = trace.canonical_request;
    if (!creds->session_token.empty())
        for (auto at = canonical.find(creds->session_token); at != std::string::npos;
             at = canonical.find(creds->session_token, at + ddb::redacted_text.size()))
            canonical.replace(at, creds->session_token.size(), ddb::redacted_text);
    std::cout << "# credentials: " << *creds << "\n"
              << "# canonical request\n"
              << canonical << "\n"
              << "# string to sign\n"
              << trace.string_to_sign << "\n"
              << "# headers to add\n"
              << "x-amz-date: " << out.amz_date << "\n"
              << (out.security_token.empty() ? "" : "x-amz-security-token: ** REDACTED **\n")
              << "authorization: " << out.authorization << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "ddb-sign: " << e.what() << "\n";
    return 1;
}
