//
// Example: sign a DynamoDB request with ddb's SigV4 signer, from a coroutine.
//
// Credentials come from the default chain (environment, then ~/.aws files),
// the region and endpoint from the usual AWS settings.
//
//
#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/endpoint.hpp>
#include <ddb/aws/region.hpp>
#include <ddb/core/redacted.hpp>
#include <ddb/credentials.hpp>
#include <ddb/sigv4.hpp>

#include <boost/asio.hpp>
#include <iostream>

namespace asio = boost::asio;

asio::awaitable<void> sign_list_tables() {
    // Region, endpoint and credentials, resolved as every AWS SDK does.
    std::string region = ddb::resolve_region();
    ddb::endpoint ep = ddb::resolve_endpoint(std::nullopt, region);
    auto provider = ddb::make_default_credentials_chain();
    ddb::credentials creds = co_await provider->fetch();

    // The request to sign: nothing is copied, nothing is modified.
    std::string host = ep.host_header();
    ddb::sigv4::header headers[] = {{"host", host},
                                    {"content-type", "application/x-amz-json-1.0"},
                                    {"x-amz-target", "DynamoDB_20120810.ListTables"}};
    ddb::sigv4::request req;
    req.headers = headers;
    req.payload = "{}";

    // sign() returns the headers to add.
    auto out = ddb::sigv4::sign(req, {creds, region, "dynamodb", std::chrono::system_clock::now()},
                                &ddb::sigv4::default_key_cache());
    // (The signature is printed redacted, as ddb does in every log line.)
    std::string_view auth = out.authorization;
    std::cout << "POST " << ep.url << "\n"
              << "x-amz-date: " << out.amz_date << "\n"
              << "authorization: " << auth.substr(0, auth.size() - 64) << ddb::redacted{auth}
              << "\n";
}

int main() {
    asio::io_context ioc;
    asio::co_spawn(ioc, sign_list_tables(), [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
    });
    try {
        ioc.run();
    } catch (const ddb::error& e) { // every ddb error: a code and a message without secrets
        std::cerr << e.code() << ": " << e.what() << "\n";
        return 1;
    }
}
