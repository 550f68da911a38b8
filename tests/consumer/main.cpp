// Uses the installed headers and library: signs with the official suite's
// get-vanilla parameters and checks the suite's signature.
#include <ddb/credentials.hpp>
#include <ddb/sigv4.hpp>
// The whole library's umbrella, and one old path (a forwarding header).
#include <ddb/ddb.hpp>
#include <ddb/item.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

int main() {
    using namespace std::chrono;
    boost::asio::io_context ioc;
    auto provider = std::make_shared<ddb::static_provider>(ddb::credentials{
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, {}, {}});
    std::string signature;
    boost::asio::co_spawn(ioc, provider->fetch(), [&](std::exception_ptr e, ddb::credentials c) {
        if (e)
            std::rethrow_exception(e);
        ddb::sigv4::header headers[] = {{"Host", "example.amazonaws.com"},
                                        {"X-Amz-Date", "20150830T123600Z"}};
        ddb::sigv4::request req;
        req.method = "GET";
        req.headers = headers;
        auto r = ddb::sigv4::sign(
            req, {c, "us-east-1", "service", sys_days{2015y / August / 30} + 12h + 36min});
        signature = r.signature();
    });
    ioc.run();
    // Functions of the client and value layers, through ddb::client.
    const std::string token = ddb::random_request_token();
    const ddb::item item{{"token", ddb::attribute_value::s(token)}};
    bool ok = token.size() == 36 && item.size() == 1 &&
              signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    std::cout << (ok ? "consumer: OK" : "consumer: wrong signature " + signature) << "\n";
    return ok ? 0 : 1;
}
