// ddb tests — scripted DynamoDB Streams answers at the client's transport
// seam, for the stream reader's unit tests. Each answer is written by the
// test for the request it answers (GetRecords by iterator, GetShardIterator
// by shard and position, DescribeStream by filter, ListStreams): recorded
// protocol answers for the edge cases moto cannot produce (lineage, splits,
// expiry, trimming, LimitExceeded), not a model of DynamoDB Streams. A
// request nobody scripted fails the test.
#pragma once

#include <ddb/client/streams_client.hpp>
#include <ddb/http/transport.hpp>

#include "../support/client_setup.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/crc.hpp>
#include <boost/json.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace ddb::test {

struct stream_answer {
    unsigned status = 200;
    std::string body;
};

inline stream_answer answer_ok(boost::json::value body) {
    return {200, boost::json::serialize(body)};
}
inline stream_answer answer_error(const std::string& type,
                                  const std::string& message = "scripted") {
    return {400,
            boost::json::serialize(boost::json::object{
                {"__type", "com.amazonaws.dynamodb.v20120810#" + type}, {"message", message}})};
}

/// A change record with sequence number `seq` of key pk = `key`.
inline boost::json::object stream_record_json(const std::string& seq,
                                              const std::string& key = "k") {
    boost::json::object keys{{"pk", boost::json::object{{"S", key}}}};
    return {{"eventID", "e" + seq},
            {"eventName", "INSERT"},
            {"eventSource", "aws:dynamodb"},
            {"eventVersion", "1.1"},
            {"awsRegion", "us-east-1"},
            {"dynamodb", boost::json::object{{"Keys", keys},
                                             {"NewImage", keys},
                                             {"SequenceNumber", seq},
                                             {"SizeBytes", 10},
                                             {"StreamViewType", "NEW_AND_OLD_IMAGES"}}}};
}

/// A GetRecords page: records `seqs`, then `next` (empty: none, the shard's end).
inline stream_answer records_page(const std::vector<std::string>& seqs, const std::string& next) {
    boost::json::array records;
    for (const auto& s : seqs)
        records.push_back(stream_record_json(s));
    boost::json::object page{{"Records", std::move(records)}};
    if (!next.empty())
        page["NextShardIterator"] = next;
    return answer_ok(std::move(page));
}

inline stream_answer iterator_answer(const std::string& it) {
    if (it.empty())
        return answer_ok(boost::json::object{});
    return answer_ok(boost::json::object{{"ShardIterator", it}});
}

/// A shard of a DescribeStream answer (`parent`, `ending` empty: absent).
inline boost::json::object shard_json(const std::string& id, const std::string& parent,
                                      const std::string& starting, const std::string& ending) {
    boost::json::object range{{"StartingSequenceNumber", starting}};
    if (!ending.empty())
        range["EndingSequenceNumber"] = ending;
    boost::json::object s{{"ShardId", id}, {"SequenceNumberRange", std::move(range)}};
    if (!parent.empty())
        s["ParentShardId"] = parent;
    return s;
}

inline stream_answer describe_answer(const std::string& arn, boost::json::array shards,
                                     const std::string& status = "ENABLED") {
    return answer_ok(boost::json::object{
        {"StreamDescription", boost::json::object{{"StreamArn", arn},
                                                  {"StreamStatus", status},
                                                  {"StreamViewType", "NEW_AND_OLD_IMAGES"},
                                                  {"Shards", std::move(shards)}}}});
}

/// Answers each request with the first answer scripted for its key:
///   "GetRecords <iterator>", "GetShardIterator <shard> <TYPE>[ <seq>]",
///   "DescribeStream", "DescribeStream children <shard>",
///   "ListStreams <table>".
/// A key scripted with `always` answers every time (after its queue ran out).
class stream_script final : public http::transport {
public:
    void add(const std::string& key, stream_answer a) {
        std::lock_guard lock(m_);
        queued_[key].push_back(std::move(a));
    }
    void always(const std::string& key, stream_answer a) {
        std::lock_guard lock(m_);
        always_[key] = std::move(a);
    }
    /// Every request's key, in the order sent.
    std::vector<std::string> sent() const {
        std::lock_guard lock(m_);
        return sent_;
    }
    std::size_t count(const std::string& key) const {
        std::lock_guard lock(m_);
        std::size_t n = 0;
        for (const auto& k : sent_)
            n += k == key;
        return n;
    }

    boost::asio::awaitable<http::raw_response> send(const http::origin&,
                                                    const http::request_view& req,
                                                    std::chrono::steady_clock::time_point,
                                                    http::exchange_info*) override {
        const std::string key = key_of(req);
        stream_answer a;
        {
            std::lock_guard lock(m_);
            sent_.push_back(key);
            auto q = queued_.find(key);
            if (q != queued_.end() && !q->second.empty()) {
                a = std::move(q->second.front());
                q->second.pop_front();
            } else if (auto al = always_.find(key); al != always_.end()) {
                a = al->second;
            } else {
                throw std::logic_error("stream_script: nothing scripted for " + key);
            }
        }
        boost::crc_32_type crc;
        crc.process_bytes(a.body.data(), a.body.size());
        http::raw_response res;
        res.set_status(a.status, a.status == 200 ? "OK" : "Bad Request", 11);
        res.add_field("x-amzn-RequestId", "SCRIPTED");
        res.add_field("Content-Type", "application/x-amz-json-1.0");
        res.add_field("x-amz-crc32", std::to_string(crc.checksum()));
        res.body() = a.body;
        co_return res;
    }

private:
    static std::string key_of(const http::request_view& req) {
        std::string op;
        for (const auto& f : req.headers) {
            std::string name(f.name);
            for (auto& ch : name)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (name == "x-amz-target")
                op = std::string(f.value.substr(f.value.find('.') + 1));
        }
        const auto body = boost::json::parse(req.body).as_object();
        auto str = [&](const char* k) {
            const auto* v = body.if_contains(k);
            return v ? std::string(v->as_string()) : std::string();
        };
        if (op == "GetRecords")
            return op + " " + str("ShardIterator");
        if (op == "GetShardIterator") {
            std::string k = op + " " + str("ShardId") + " " + str("ShardIteratorType");
            if (body.contains("SequenceNumber"))
                k += " " + str("SequenceNumber");
            return k;
        }
        if (op == "DescribeStream") {
            if (const auto* f = body.if_contains("ShardFilter"))
                return op + " children " + std::string(f->at("ShardId").as_string());
            return op;
        }
        if (op == "ListStreams")
            return op + " " + str("TableName");
        return op;
    }

    mutable std::mutex m_;
    std::map<std::string, std::deque<stream_answer>> queued_;
    std::map<std::string, stream_answer> always_;
    std::vector<std::string> sent_;
};

/// A Streams client over a `stream_script`; the retry policy tries once
/// (errors reach the reader at once).
struct scripted_streams {
    boost::asio::io_context ioc;
    std::shared_ptr<stream_script> script = std::make_shared<stream_script>();
    std::optional<streams_client> c;

    scripted_streams() {
        client_config cfg = config_for("https://streams.dynamodb.us-east-1.amazonaws.com");
        cfg.transport = script;
        retry_config r = *cfg.retry;
        r.max_attempts = 1;
        cfg.retry = r;
        c.emplace(ioc.get_executor(), cfg);
    }
};

} // namespace ddb::test
