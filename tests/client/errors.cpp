// Test that header file is self-contained.
#include <ddb/client/errors.hpp>

#include <catch2/catch.hpp>

using namespace ddb;

namespace {

template <class E>
E catch_as(unsigned status, std::string_view body,
           std::string_view content_type = "application/x-amz-json-1.0") {
    try {
        throw_service_error(status, content_type, body, "REQ-1", "PutItem");
    } catch (const E& e) {
        return e;
    } catch (const std::exception& e) {
        FAIL("wrong exception type: " << e.what());
    }
    FAIL("no exception");
    throw;
}

std::string typed(std::string_view type) {
    return R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + std::string(type) +
           R"(","message":"m"})";
}

} // namespace

TEST_CASE("every documented __type maps to its typed exception", "[errors]") {
    CHECK(catch_as<validation_error>(400, typed("ValidationException")).kind() ==
          service_errc::validation);
    CHECK(catch_as<resource_not_found>(400, typed("ResourceNotFoundException")).type() ==
          "ResourceNotFoundException");
    catch_as<resource_in_use>(400, typed("ResourceInUseException"));
    catch_as<transaction_conflict>(400, typed("TransactionConflictException"));
    catch_as<throttling_error>(400, typed("TransactionInProgressException"));
    catch_as<throttling_exception>(400, typed("ThrottlingException"));
    catch_as<request_limit_exceeded>(400, typed("RequestLimitExceeded"));
    catch_as<limit_exceeded>(400, typed("LimitExceededException"));
    catch_as<item_collection_size_limit_exceeded>(
        400, typed("ItemCollectionSizeLimitExceededException"));
    catch_as<idempotent_parameter_mismatch>(400, typed("IdempotentParameterMismatchException"));
    catch_as<internal_server_error>(500, typed("InternalServerError"));
    catch_as<service_unavailable>(503, typed("ServiceUnavailable"));
    catch_as<serialization_error>(400, typed("SerializationException"));
    catch_as<unknown_operation>(400, typed("UnknownOperationException"));
    for (auto t : {"UnrecognizedClientException", "InvalidSignatureException",
                   "IncompleteSignatureException", "MissingAuthenticationTokenException",
                   "ExpiredTokenException", "AccessDeniedException"}) {
        INFO(t);
        catch_as<authentication_error>(400, typed(t));
    }
    auto e = catch_as<expired_token>(400, typed("ExpiredTokenException"));
    CHECK(e.request_id() == "REQ-1");
    CHECK(e.operation() == "PutItem");
    CHECK(e.message() == "m");
    CHECK(std::string(e.what()).find("ExpiredTokenException") != std::string::npos);
    auto u = catch_as<unknown_service_error>(400, typed("BrandNewException"));
    CHECK(u.type() == "BrandNewException");
    CHECK(u.kind() == service_errc::unknown);
}

TEST_CASE("errors carry their decoded data", "[errors]") {
    auto ccf = catch_as<conditional_check_failed>(
        400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
             R"("message":"The conditional request failed","Item":{"pk":{"S":"a"}}})");
    REQUIRE(ccf.item());
    CHECK(*ccf.item() == item{{"pk", attribute_value("a")}});
    auto none = catch_as<conditional_check_failed>(400, typed("ConditionalCheckFailedException"));
    CHECK_FALSE(none.item());

    auto tc = catch_as<transaction_canceled>(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"cancelled",)"
        R"("CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"no",)"
        R"("Item":{"pk":{"S":"b"}}}]})");
    CHECK(tc.message() == "cancelled"); // "Message" is accepted too
    REQUIRE(tc.reasons().size() == 2);
    CHECK(tc.reasons()[0].code == "None");
    CHECK_FALSE(tc.reasons()[0].item);
    CHECK(tc.reasons()[1].code == "ConditionalCheckFailed");
    CHECK(tc.reasons()[1].message == "no");
    REQUIRE(tc.reasons()[1].item);
    CHECK(*tc.reasons()[1].item == item{{"pk", attribute_value("b")}});

    // Every AttributeValue type is decoded; an item that is not
    // AttributeValue JSON is left out, the error stays what was sent.
    auto rich = catch_as<conditional_check_failed>(
        400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
             R"("Item":{"pk":{"S":"a"},"n":{"N":"12.50"},"ns":{"NS":["1","2"]},)"
             R"("m":{"M":{"b":{"BOOL":true},"l":{"L":[{"NULL":true},{"B":"AAE="}]}}}}})");
    REQUIRE(rich.item());
    CHECK(*rich.item() ==
          item{{"pk", attribute_value("a")},
               {"n", attribute_value(number("12.5"))},
               {"ns", attribute_value::ns({number(2), number(1)})},
               {"m", attribute_value(
                         item{{"b", attribute_value(true)},
                              {"l", attribute_value(attribute_value::list_type{
                                        attribute_value::null(), attribute_value::b({0, 1})})}})}});
    auto bad = catch_as<conditional_check_failed>(
        400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
             R"("message":"m","Item":{"pk":{"X":"a"}}})");
    CHECK(bad.message() == "m");
    CHECK_FALSE(bad.item());
    auto bad_reason = catch_as<transaction_canceled>(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
        R"("CancellationReasons":[{"Code":"ConditionalCheckFailed","Item":{"n":{"N":"x"}}}]})");
    REQUIRE(bad_reason.reasons().size() == 1);
    CHECK(bad_reason.reasons()[0].code == "ConditionalCheckFailed");
    CHECK_FALSE(bad_reason.reasons()[0].item);

    auto pte = catch_as<provisioned_throughput_exceeded>(
        400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"x",)"
        R"("ThrottlingReasons":[{"reason":"TableReadProvisionedThroughputExceeded","resource":"arn:t"}]})");
    REQUIRE(pte.throttling_reasons().size() == 1);
    CHECK(pte.throttling_reasons()[0].at("reason").as_string() ==
          "TableReadProvisionedThroughputExceeded");
}

TEST_CASE("non-JSON bodies become unexpected_response saying what came back", "[errors]") {
    auto empty = catch_as<unexpected_response>(413, "", "");
    CHECK(empty.status() == 413);
    CHECK(empty.message() == "empty body");
    auto html = catch_as<unexpected_response>(502, "<html>Bad Gateway</html>", "text/html");
    CHECK(html.content_type() == "text/html");
    CHECK(html.body_excerpt() == "<html>Bad Gateway</html>");
    auto long_body = catch_as<unexpected_response>(500, std::string(1000, 'z'), "text/plain");
    CHECK(long_body.body_excerpt().size() == 256);
    auto json_without_type = catch_as<unexpected_response>(500, R"({"hello":1})");
    CHECK(json_without_type.status() == 500);
    // An XML error with a known code is still typed.
    auto xml =
        catch_as<invalid_signature>(403,
                                    "<ErrorResponse><Error><Code>SignatureDoesNotMatch</"
                                    "Code><Message>bad sig</Message></Error></ErrorResponse>",
                                    "text/xml");
    CHECK(xml.message() == "bad sig");
}

TEST_CASE("classify_error_type strips the namespace", "[errors]") {
    CHECK(classify_error_type("com.amazonaws.dynamodb.v20120810#ValidationException") ==
          service_errc::validation);
    CHECK(classify_error_type("ValidationException") == service_errc::validation);
    CHECK(classify_error_type("Nope") == service_errc::unknown);
}
