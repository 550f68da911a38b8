// DynamoDB response bodies: the typed decoding every operation applies to a
// 200 answer (as src/client/operations.cpp does, from an arena), the error-body
// classification of a non-200 answer, and the Query/Scan page decoder.
#include "fuzz.hpp"

#include <ddb/client/errors.hpp>
#include <ddb/value/item.hpp>

#include "model/detail/codec.hpp"
#include "model/detail/describe.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace {

namespace json = boost::json;
using namespace ddb;

// Decodes `answer` as a Response; when it decodes, encoding it and decoding
// that again must give the same JSON (the codec is its own inverse).
template <class Response>
void typed_response(const json::value& answer) {
    Response out;
    try {
        model_detail::decode(answer, out);
    } catch (const model_detail::field_error&) {
        return; // the client turns this into malformed_response
    } catch (const value_error&) {
        return;
    }
    json::value once;
    try {
        once = model_detail::encode(out);
    } catch (const value_error&) {
        return; // an enum value decoded as `unknown` has no wire name
    }
    Response again;
    model_detail::decode(once, again);
    DDB_FUZZ_CHECK(json::serialize(model_detail::encode(again)) == json::serialize(once));
}

} // namespace

DDB_FUZZ_TARGET {
    const auto body = fuzz::text(data, size);

    // A 200 answer: parsed into an arena, then decoded as each response type.
    {
        unsigned char first_block[4096];
        json::monotonic_resource arena(first_block, sizeof first_block);
        json::error_code ec;
        json::value answer = json::parse(body, ec, &arena);
        if (!ec && answer.is_object()) {
            typed_response<get_item_response>(answer);
            typed_response<write_item_response>(answer);
            typed_response<query_response>(answer);
            typed_response<batch_get_item_response>(answer);
            typed_response<batch_write_item_response>(answer);
            typed_response<transact_get_items_response>(answer);
            typed_response<transact_write_items_response>(answer);
            typed_response<create_table_response>(answer);
            typed_response<describe_table_response>(answer);
            typed_response<update_table_response>(answer);
            typed_response<delete_table_response>(answer);
            typed_response<list_tables_response>(answer);
            typed_response<update_time_to_live_response>(answer);
            typed_response<describe_time_to_live_response>(answer);
        }
    }

    // Query and Scan pages, decoded item by item.
    fuzz::typed([&] { (void)items_from_page(body); });

    // An error answer: always a typed service_error, whatever the body.
    for (unsigned status : {400u, 500u}) {
        bool thrown = false;
        try {
            throw_service_error(status, "application/x-amz-json-1.0", body, "RID", "PutItem");
        } catch (const service_error& e) {
            thrown = true;
            DDB_FUZZ_CHECK(e.status() == status);
            DDB_FUZZ_CHECK(e.what() != nullptr);
        }
        DDB_FUZZ_CHECK(thrown);
    }
    return 0;
}
