// index_partition: FNV-1a 64 of the partition key modulo the partition
// count, a persistent format (stored in every event's index key): known
// values, the stored_event overload, the range check, and an even spread.
#include <ddb/es/error.hpp>
#include <ddb/es/partition.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ddb::es;

TEST_CASE("partition: known values of FNV-1a 64 modulo the count", "[es][partition]") {
    // FNV-1a 64: "" 0xcbf29ce484222325, "a" 0xaf63dc4c8601ec8c, "foobar"
    // 0x85944171f73967e8 (the published test vectors); the rest computed
    // once from the definition.
    CHECK(index_partition("", 1000) == 0xcbf29ce484222325ull % 1000);
    CHECK(index_partition("a", 1000) == 0xaf63dc4c8601ec8cull % 1000);
    CHECK(index_partition("foobar", 1000) == 0x85944171f73967e8ull % 1000);
    CHECK(index_partition("", 4) == 1);
    CHECK(index_partition("a", 1000) == 996);
    CHECK(index_partition("foobar", 1000) == 968);
    CHECK(index_partition("agg-1", 4) == 0);
    CHECK(index_partition("agg-1", 8) == 4);
    CHECK(index_partition("agg-1", 1000) == 748);
    CHECK(index_partition("6f1c0a52-3e7d-4d8e-9b41-0c2f5d7e8a90", 4) == 1);
    CHECK(index_partition("6f1c0a52-3e7d-4d8e-9b41-0c2f5d7e8a90", 1000) == 477);
    CHECK(index_partition("$e#1767225600000000000", 8) == 5);
    CHECK(index_partition("$e#1767225600000000000", 1000) == 109);
    CHECK(index_partition("anything", 1) == 0);
}

TEST_CASE("partition: a stored event hashes its uuid, or $e#<id> without one", "[es][partition]") {
    stored_event with;
    with.id = 42;
    with.aggregate_uuid = "agg-1";
    CHECK(index_partition(with, 1000) == 748);
    stored_event without;
    without.id = 1767225600000000000;
    CHECK(index_partition(without, 1000) == 109);
}

TEST_CASE("partition: the count must be 1 to 1000", "[es][partition]") {
    for (int bad : {0, -1, 1001}) {
        try {
            index_partition("agg", bad);
            FAIL("no error for " << bad);
        } catch (const es_error& e) {
            CHECK(e.kind() == es_errc::invalid_argument);
        }
    }
    CHECK(index_partition("agg", max_partitions) < max_partitions);
}

TEST_CASE("partition: uuids spread evenly", "[es][partition]") {
    // 16,000 uuid-like keys over 4, 8 and 16 partitions: every partition
    // within 10% of its share.
    for (int partitions : {4, 8, 16}) {
        std::vector<int> seen(static_cast<std::size_t>(partitions), 0);
        const int keys = 16000;
        for (int i = 0; i < keys; ++i) {
            const std::string uuid = "0c2f5d7e-" + std::to_string(i * 7919) + "-4d8e-9b41";
            ++seen[static_cast<std::size_t>(index_partition(uuid, partitions))];
        }
        const double share = static_cast<double>(keys) / partitions;
        for (int n : seen) {
            INFO(partitions << " partitions: " << n << " of " << keys);
            CHECK(n > share * 0.9);
            CHECK(n < share * 1.1);
        }
    }
}
