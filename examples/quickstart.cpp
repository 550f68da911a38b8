//
// Example: call DynamoDB from a coroutine with ddb::client.
//
// Region, endpoint and credentials come from the usual AWS settings
// (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ACCESS_KEY_ID, ~/.aws, ...).
//
//[readme
#include <ddb/client/client.hpp>

#include <boost/asio.hpp>
#include <iostream>

namespace asio = boost::asio;

asio::awaitable<void> list_tables(ddb::client& client) {
    // Typed operations: plain request and response structs. Each call is
    // signed, sent over a pooled keep-alive connection, checked (CRC32) and
    // retried as needed.
    ddb::list_tables_request request{.limit = 10};
    ddb::list_tables_response answer = co_await client.list_tables(request);
    for (const std::string& name : answer.table_names)
        std::cout << name << "\n";

    // DynamoDB's errors arrive as typed exceptions.
    try {
        co_await client.describe_table("no-such-table");
    } catch (const ddb::resource_not_found& e) {
        std::cout << "not found: " << e.message() << " (request id " << e.request_id() << ")\n";
    }
}

int main() {
    asio::io_context ioc;
    try {
        // Reads region, endpoint and credentials settings: a missing region
        // or a bad endpoint URL is a ddb::config_error here.
        ddb::client client(ioc.get_executor()); // runs on ioc (see "Threads" below)
        asio::co_spawn(ioc, list_tables(client), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        ioc.run();
    } catch (const ddb::error& e) { // every ddb error: a code and a message without secrets
        std::cerr << e.code() << ": " << e.what() << "\n";
        return 1;
    }
}
//]
