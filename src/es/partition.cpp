#include <ddb/es/partition.hpp>

#include <ddb/es/error.hpp>

#include <cstdint>
#include <string>

namespace ddb::es {

int index_partition(std::string_view pk, int partitions) {
    if (partitions < 1 || partitions > max_partitions)
        throw es_error(es_errc::invalid_argument, "index partitions must be 1 to " +
                                                      std::to_string(max_partitions) + ", not " +
                                                      std::to_string(partitions));
    std::uint64_t h = 14695981039346656037ull; // FNV-1a 64: offset basis
    for (unsigned char ch : pk) {
        h ^= ch;
        h *= 1099511628211ull; // FNV prime
    }
    return static_cast<int>(h % static_cast<std::uint64_t>(partitions));
}

int index_partition(const stored_event& e, int partitions) {
    if (e.aggregate_uuid)
        return index_partition(*e.aggregate_uuid, partitions);
    return index_partition("$e#" + std::to_string(e.id), partitions);
}

} // namespace ddb::es
