//
// Example: call DynamoDB from a coroutine with ddb::client.
//
// Region, endpoint and credentials come from the usual AWS settings
// (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ACCESS_KEY_ID, ~/.aws, ...).
//
//[readme
#include <ddb/client.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <iostream>

namespace asio = boost::asio;
namespace json = boost::json;

asio::awaitable<void> list_tables(ddb::client& client) {
    // Any DynamoDB operation, as JSON in and JSON out: signed, sent over a
    // pooled keep-alive connection, checked (CRC32) and retried as needed.
    json::value request = {{"Limit", 10}};
    json::value answer = co_await client.call("ListTables", request);
    for (auto& name : answer.at("TableNames").as_array())
        std::cout << name.as_string() << "\n";

    // DynamoDB's errors arrive as typed exceptions.
    json::value missing = {{"TableName", "no-such-table"}};
    try {
        co_await client.call("DescribeTable", missing);
    } catch (const ddb::resource_not_found& e) {
        std::cout << "not found: " << e.message() << " (request id " << e.request_id() << ")\n";
    }
}

int main() {
    asio::io_context ioc;
    ddb::client client(ioc.get_executor()); // no thread of its own: it runs on ioc
    asio::co_spawn(ioc, list_tables(client), [](std::exception_ptr e) {
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
//]
