//
// ddb-sign — prints the SigV4 stages of a DynamoDB request: canonical request,
// string to sign and the headers to add (Authorization among them). Compare
// them with the canonical request a SignatureDoesNotMatch error shows to find
// why a signature differs. Nothing is sent.
//
//   ddb-sign [--target OPERATION] [--body JSON | --body-file FILE]
//            [--region R] [--service S] [--endpoint URL] [--time yyyymmddThhmmssZ]
//            [--header "Name: value"]...
//   ddb-sign --help | --version
//
// Credentials come from the default chain (environment, profile files,
// container, instance metadata). The secret key is never printed, the session
// token only redacted. Every write to stdout is checked. Exit status: 0
// success, 1 error, 2 usage error.
//
#include "cli.hpp"

#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/endpoint.hpp>
#include <ddb/aws/region.hpp>
#include <ddb/core/redacted.hpp>
#include <ddb/credentials.hpp>
#include <ddb/sigv4.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

namespace {

namespace cli = ddb::cli;
using cli::usage_error;

std::chrono::system_clock::time_point parse_time(const std::string& s) {
    std::tm tm{};
    std::istringstream in(s);
    in >> std::get_time(&tm, "%Y%m%dT%H%M%SZ");
    if (in.fail() || in.peek() != std::char_traits<char>::eof())
        throw usage_error("--time wants yyyymmddThhmmssZ (UTC), got '" + s + "'");
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

/// What the command line asks for.
struct request_options {
    std::string target = "ListTables", body = "{}", service = "dynamodb";
    bool have_body = false;
    std::optional<std::string> region, endpoint_url;
    std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
    std::vector<std::pair<std::string, std::string>> extra;

    /// Before --body or --body-file: there is one body.
    void take_body() {
        if (have_body)
            throw usage_error("one request body: --body or --body-file, once");
        have_body = true;
    }
};

std::string read_body_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw usage_error("--body-file: cannot read '" + path + "': " + std::strerror(errno));
    return {std::istreambuf_iterator<char>(f), {}};
}

// "Name: value" as {"Name", "value"} (spaces after the colon dropped).
std::pair<std::string, std::string> parse_header(const std::string& text) {
    auto colon = text.find(':');
    if (colon == std::string::npos || colon == 0)
        throw usage_error("--header wants 'Name: value', got '" + text + "'");
    auto v = text.substr(colon + 1);
    return {text.substr(0, colon), v.substr(std::min(v.find_first_not_of(' '), v.size()))};
}

std::string help_text();

/// One option: the parser, the help text and the list of names all read
/// this table.
struct option {
    const char* names; ///< "--target", or "-h, --help"
    const char* value; ///< the value's placeholder; "" for a flag
    const char* help;
    /// An option with a value: stores it.
    void (*set)(request_options&, const std::string&) = nullptr;
    /// A flag: the text to print before exiting with status 0.
    std::string (*text)() = nullptr;
};

// Shorthands for the setters below.
using R = request_options;
using V = const std::string&;

const option options[] = {
    {"--target", "OPERATION", "the DynamoDB operation, e.g. GetItem (default ListTables)",
     [](R& r, V v) { r.target = v; }},
    {"--body", "JSON", "the request body, signed as given (default {})",
     [](R& r, V v) {
         r.take_body();
         r.body = v;
     }},
    {"--body-file", "FILE", "the request body from a file, byte for byte",
     [](R& r, V v) {
         r.take_body();
         r.body = read_body_file(v);
     }},
    {"--region", "R", "the signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)",
     [](R& r, V v) { r.region = v; }},
    {"--service", "S", "the signing service name (default dynamodb)",
     [](R& r, V v) { r.service = v; }},
    {"--endpoint", "URL",
     "the endpoint, for the host header and the path (default: AWS_ENDPOINT_URL_DYNAMODB, "
     "AWS_ENDPOINT_URL, https://dynamodb.REGION.amazonaws.com)",
     [](R& r, V v) { r.endpoint_url = v; }},
    {"--time", "yyyymmddThhmmssZ",
     "the signing time in UTC (default now); give a failed request's X-Amz-Date to reproduce "
     "its signature",
     [](R& r, V v) { r.time = parse_time(v); }},
    {"--header", "'Name: value'", "one more header to sign; may be repeated",
     [](R& r, V v) { r.extra.push_back(parse_header(v)); }},
    {"-h, --help", "", "this text", nullptr, help_text},
    {"--version", "", "the version", nullptr,
     [] { return "ddb-sign " + std::string(cli::version) + "\n"; }},
};

// The option one of whose names is `arg`, or null.
const option* find_option(std::string_view arg) {
    for (const auto& o : options)
        for (std::string_view names = o.names; !names.empty();) {
            auto comma = names.find(", ");
            if (names.substr(0, comma) == arg)
                return &o;
            names = comma == std::string_view::npos ? "" : names.substr(comma + 2);
        }
    return nullptr;
}

std::string help_text() {
    std::string h =
        "ddb-sign " + std::string(cli::version) +
        " - the SigV4 signature of a DynamoDB request, stage by stage\n\n"
        "usage: ddb-sign [OPTIONS]\n\n" +
        cli::wrap("Signs one DynamoDB request (POST, JSON 1.0) as ddb's client does and prints "
                  "the stages of AWS Signature Version 4: the canonical request, the string to "
                  "sign and the headers to add (x-amz-date, x-amz-security-token, "
                  "authorization). When DynamoDB answers SignatureDoesNotMatch, its message "
                  "shows the canonical request and string to sign it computed: compare them with "
                  "these to find the difference. Nothing is sent. The secret key is never "
                  "printed and the session token only as ** REDACTED **.",
                  0) +
        "\n\noptions:\n";
    for (const auto& o : options)
        h += cli::option_line(o.names, o.value, o.help);
    h += "\n"
         "environment:\n"
         "  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE,\n"
         "  AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE\n"
         "                        credentials: the default chain (environment, profile\n"
         "                        files, container, instance metadata)\n"
         "  AWS_REGION, AWS_DEFAULT_REGION    the region, unless --region\n"
         "  AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL    the endpoint, unless --endpoint\n"
         "\n"
         "example:\n"
         "  ddb-sign --region eu-west-1 --target GetItem --time 20260101T120000Z \\\n"
         "           --body '{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\"}}}'\n"
         "\n"
         "Exit status: 0 success, 1 error (no credentials, output failed), 2 usage error.\n";
    return h;
}

const char* const usage_hint = "usage: ddb-sign [--target OP] [--body JSON | --body-file FILE] "
                               "[--region R] [--time T] ...\n"
                               "Try 'ddb-sign --help'.\n";

/// The command line, or the flag (--help, --version) that ends it early.
struct command_line {
    request_options request;
    const option* flag = nullptr;
};

command_line parse(int argc, char** argv) {
    command_line c;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.empty() || arg[0] != '-')
            throw usage_error("unexpected argument '" + arg + "' (every value follows its option)");
        const option* o = find_option(arg);
        if (!o)
            throw usage_error("unknown option '" + arg + "'");
        if (o->text) {
            c.flag = o;
            return c;
        }
        if (i + 1 >= argc)
            throw usage_error(arg + " wants a value");
        o->set(c.request, argv[++i]);
    }
    return c;
}

} // namespace

int main(int argc, char** argv) try {
    const auto [r, flag] = parse(argc, argv);
    if (flag) {
        cli::out(flag->text());
        cli::close_stdout();
        return 0;
    }
    std::string reg = ddb::resolve_region(r.region);
    ddb::endpoint ep = ddb::resolve_endpoint(r.endpoint_url, reg);
    auto provider = ddb::make_default_credentials_chain();
    boost::asio::io_context ioc;
    std::optional<ddb::credentials> creds;
    boost::asio::co_spawn(ioc, provider->fetch(), [&](std::exception_ptr e, ddb::credentials c) {
        if (e)
            std::rethrow_exception(e);
        creds = std::move(c);
    });
    ioc.run();

    std::string host = ep.host_header(), full_target = "DynamoDB_20120810." + r.target;
    std::vector<ddb::sigv4::header> headers = {{"host", host},
                                               {"content-type", "application/x-amz-json-1.0"},
                                               {"x-amz-target", full_target}};
    for (auto& [n, v] : r.extra)
        headers.push_back({n, v});
    ddb::sigv4::request req;
    req.path = ep.path;
    req.headers = headers;
    req.payload = r.body;
    ddb::sigv4::signing_trace trace;
    auto out = ddb::sigv4::sign(req, {*creds, reg, r.service, r.time}, nullptr, &trace);
    // The canonical request holds the signed x-amz-security-token: print it
    // redacted, like every other secret (the string to sign has its hash).
    std::string canonical = trace.canonical_request;
    if (!creds->session_token.empty())
        for (auto at = canonical.find(creds->session_token); at != std::string::npos;
             at = canonical.find(creds->session_token, at + ddb::redacted_text.size()))
            canonical.replace(at, creds->session_token.size(), ddb::redacted_text);
    std::ostringstream text;
    text << "# credentials: " << *creds << "\n"
         << "# canonical request\n"
         << canonical << "\n"
         << "# string to sign\n"
         << trace.string_to_sign << "\n"
         << "# headers to add\n"
         << "x-amz-date: " << out.amz_date << "\n"
         << (out.security_token.empty() ? "" : "x-amz-security-token: ** REDACTED **\n")
         << "authorization: " << out.authorization << "\n";
    cli::out(text.str());
    cli::close_stdout();
    return 0;
} catch (const usage_error& e) {
    std::cerr << "ddb-sign: " << e.what() << "\n" << usage_hint;
    return 2;
} catch (const std::exception& e) {
    std::cerr << "ddb-sign: " << e.what() << "\n";
    return 1;
}
