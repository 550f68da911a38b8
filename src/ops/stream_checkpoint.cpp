// A stream reader's position: the last sequence number handled per shard,
// the shards read to their end, and their JSON form.
#include <ddb/core/config_error.hpp>
#include <ddb/ops/stream_reader.hpp>

#include <boost/json.hpp>

namespace ddb {

namespace json = boost::json;

void stream_checkpoint::advance(const stream_batch& batch) {
    if (!batch.records.empty())
        sequence_numbers[batch.shard_id] = batch.records.back().sequence_number;
    if (batch.shard_end)
        finished_shards.insert(batch.shard_id);
}

void stream_checkpoint::advance(const stream_event& event) {
    if (const auto* b = std::get_if<stream_batch>(&event))
        advance(*b);
}

std::optional<shard_start> stream_checkpoint::start_of(const std::string& shard_id) const {
    auto it = sequence_numbers.find(shard_id);
    if (it == sequence_numbers.end())
        return std::nullopt;
    return shard_start::after(it->second);
}

json::value stream_checkpoint::to_json() const {
    json::object numbers;
    for (const auto& [shard, number] : sequence_numbers)
        numbers[shard] = number;
    json::array finished;
    for (const auto& shard : finished_shards)
        finished.emplace_back(shard);
    return json::object{{"sequence_numbers", std::move(numbers)},
                        {"finished_shards", std::move(finished)}};
}

stream_checkpoint stream_checkpoint::from_json(const json::value& v) {
    auto bad = [](const std::string& what) {
        return config_error(config_errc::invalid_setting, "stream_checkpoint JSON: " + what);
    };
    const auto* o = v.if_object();
    if (!o)
        throw bad("not an object");
    stream_checkpoint cp;
    if (const auto* numbers = o->if_contains("sequence_numbers")) {
        if (!numbers->is_object())
            throw bad("sequence_numbers: not an object");
        for (const auto& [shard, number] : numbers->get_object()) {
            if (!number.is_string())
                throw bad("sequence_numbers." + std::string(shard) + ": not a string");
            cp.sequence_numbers.emplace(std::string(shard), std::string(number.get_string()));
        }
    }
    if (const auto* finished = o->if_contains("finished_shards")) {
        if (!finished->is_array())
            throw bad("finished_shards: not an array");
        for (const auto& shard : finished->get_array()) {
            if (!shard.is_string())
                throw bad("finished_shards: a member is not a string");
            cp.finished_shards.emplace(shard.get_string());
        }
    }
    return cp;
}

} // namespace ddb
