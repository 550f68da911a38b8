//
// bench_streams — decoding GetRecords pages of 1,000 NEW_AND_OLD_IMAGES
// records: CPU per record. Its peer, the AWS JS SDK's
// @aws-sdk/client-dynamodb-streams (bench/js/streams.mjs), decodes the same
// page (written with --write-page) in the same run, driven by bench/run.py.
//
// Both sides make the whole GetRecords call against an answer held in memory:
// ddb through its transport seam (`client_config::transport`: signing, the
// CRC32 check, the arena parse, the typed decode into `stream_record`s with
// `ddb::item` images), the JS SDK through its `requestHandler` (its
// middleware, signing, JSON parse and unmarshalling into records). No
// socket: the figure is the client's CPU per record, not the network's.
// `decode_us_per_record` is ddb's decode alone (the text decoder
// get_records uses), `tree_decode_us_per_record` the JSON tree and the tree
// decoder (its fallback for malformed answers), `tokenize_us_per_record`
// Boost.JSON's basic_parser with a handler that keeps nothing (the floor).
// The page of views (`streams_client::get_records_page`, records as
// `stream_record_view` into the page's text and arena): the whole call
// (`page_cpu_us_per_record`, compared with the JS SDK as `cpu_us_per_record`
// is) and its decoder alone (`page_decode_us_per_record`); each page's
// records are walked (every attribute of both images looked at) so that the
// figure includes reading them, as the JS SDK's includes its objects.
//
//   bench_streams [--records N] [--seconds S] [--write-page FILE] [--quick]
//                 [--only text|tree|tokenize|call|page|page_call PAGES]
//   {"bench":"streams_decode","impl":"ddb","records_per_page":1000,"page_bytes":..,
//    "pages":..,"cpu_us_per_record":..,"decode_us_per_record":..,
//    "tree_decode_us_per_record":..,"tokenize_us_per_record":..,
//    "page_cpu_us_per_record":..,"page_decode_us_per_record":..}
// --only runs PAGES pages of one path and prints nothing (for
// `valgrind --tool=callgrind`: instructions per record; and perf record).
// CPU is getrusage(RUSAGE_SELF) user+sys over the timed phase.
//
#include <ddb/client/errors.hpp>
#include <ddb/client/streams_client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/http/transport.hpp>
#include <ddb/model/get_records_page.hpp>
#include <ddb/model/wire.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/crc.hpp>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// An order item of a shop table as a change of it would carry it.
json::object image(std::mt19937& rng, int i, int version) {
    auto hex = [&](int n) {
        std::string s;
        for (int k = 0; k < n; ++k)
            s += "0123456789abcdef"[rng() % 16];
        return s;
    };
    auto s = [](std::string v) { return json::object{{"S", std::move(v)}}; };
    auto n = [](std::int64_t v) { return json::object{{"N", std::to_string(v)}}; };
    json::object lines{
        {"L", json::array{json::object{{"M", json::object{{"sku", s("SKU-" + hex(6))},
                                                          {"qty", n(1 + rng() % 5)},
                                                          {"price", n(1999)}}}},
                          json::object{{"M", json::object{{"sku", s("SKU-" + hex(6))},
                                                          {"qty", n(1)},
                                                          {"price", n(4550)}}}}}}};
    return json::object{
        {"pk", s("customer#" + hex(12))},
        {"sk", s("order#" + std::to_string(100000 + i))},
        {"status", s(version == 1 ? "PLACED" : "SHIPPED")},
        {"total", {{"N", std::to_string(6549 + version) + ".50"}}},
        {"currency", s("EUR")},
        {"version", n(version)},
        {"created_at", s("2026-11-27T05:00:00.000000Z")},
        {"email", s("someone." + hex(6) + "@example.com")},
        {"gift", {{"BOOL", i % 3 == 0}}},
        {"tags", {{"SS", json::array{"web", "priority"}}}},
        {"lines", std::move(lines)},
        {"address", {{"M", json::object{{"city", s("Lyon")}, {"zip", s("69002")}}}}},
    };
}

// A GetRecords answer of `count` MODIFY records with both images.
std::string records_page(int count) {
    std::mt19937 rng(42);
    json::array records;
    for (int i = 0; i < count; ++i) {
        std::mt19937 same(static_cast<unsigned>(i)); // the old and new images share their ids
        json::object old_image = image(same, i, 1);
        same.seed(static_cast<unsigned>(i));
        json::object new_image = image(same, i, 2);
        json::object keys{{"pk", old_image["pk"]}, {"sk", old_image["sk"]}};
        records.push_back(json::object{
            {"awsRegion", "eu-west-1"},
            {"dynamodb",
             json::object{{"ApproximateCreationDateTime", 1795751930 + i / 100},
                          {"Keys", std::move(keys)},
                          {"NewImage", std::move(new_image)},
                          {"OldImage", std::move(old_image)},
                          {"SequenceNumber",
                           std::to_string(400000000000000000000.0 + i * 100.0).substr(0, 21)},
                          {"SizeBytes", 612},
                          {"StreamViewType", "NEW_AND_OLD_IMAGES"}}},
            {"eventID", std::to_string(rng()) + std::to_string(rng())},
            {"eventName", "MODIFY"},
            {"eventSource", "aws:dynamodb"},
            {"eventVersion", "1.1"}});
    }
    return json::serialize(json::object{
        {"Records", std::move(records)},
        {"NextShardIterator", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/"
                              "2026-11-27T05:00:00.000|1|AAAAAAAAAAGQBYshYDEe"}});
}

// The transport seam answering every request with the page.
class canned_transport final : public ddb::http::transport {
public:
    explicit canned_transport(std::string body)
        : body_(std::move(body)) {
        boost::crc_32_type crc;
        crc.process_bytes(body_.data(), body_.size());
        crc_ = std::to_string(crc.checksum());
    }
    asio::awaitable<ddb::http::raw_response> send(const ddb::http::origin&,
                                                  const ddb::http::request_view&,
                                                  steady::time_point,
                                                  ddb::http::exchange_info*) override {
        ddb::http::raw_response res;
        res.set_status(200, "OK", 11);
        res.add_field("x-amzn-RequestId", "BENCH");
        res.add_field("Content-Type", "application/x-amz-json-1.0");
        res.add_field("x-amz-crc32", crc_);
        res.body() = body_;
        co_return res;
    }

private:
    std::string body_, crc_;
};

// Pages decoded per CPU second by `one_page` over about `seconds`.
template <class F>
std::pair<int, double> measure(double seconds, F one_page) {
    for (int i = 0; i < 3; ++i) // warm-up
        one_page();
    int pages = 0;
    const double cpu0 = cpu_seconds();
    const auto until = steady::now() + std::chrono::duration<double>(seconds);
    while (steady::now() < until || pages < 5) {
        one_page();
        ++pages;
    }
    return {pages, cpu_seconds() - cpu0};
}

// A basic_parser handler that keeps nothing: the tokenizing floor of any
// decoder on Boost.JSON.
struct null_handler {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);
    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return true; }
    bool on_object_end(std::size_t, json::error_code&) { return true; }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t, json::error_code&) { return true; }
    bool on_key_part(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_key(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
    bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
    bool on_double(double, json::string_view, json::error_code&) { return true; }
    bool on_bool(bool, json::error_code&) { return true; }
    bool on_null(json::error_code&) { return true; }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
};

// Every record's attributes looked at (their names' and texts' sizes
// summed): what a reader of the views does at least.
std::size_t walk(const ddb::get_records_page& page) {
    std::size_t n = 0;
    auto item = [&](const ddb::item_view& i) {
        for (const ddb::attribute_view& a : i)
            n += a.name().size() + static_cast<std::size_t>(a.type());
    };
    for (const ddb::stream_record_view& r : page.records()) {
        n += r.sequence_number.size();
        item(r.keys);
        if (r.new_image)
            item(*r.new_image);
        if (r.old_image)
            item(*r.old_image);
    }
    return n;
}

// The measured paths, each one page after the other.
struct paths {
    const std::string& page;
    int count;
    ddb::streams_client& streams;
    asio::io_context& ioc;

    // The answer's text decoded without a JSON tree (what get_records does).
    void text() const {
        ddb::get_records_response r;
        if (!ddb::model::decode_text(page, r, ddb::max_response_depth) ||
            static_cast<int>(r.records.size()) != count)
            throw std::runtime_error("decode_text: not decoded");
    }
    // The page of views, decoded alone and walked.
    void page_view() const {
        ddb::get_records_page p;
        if (!ddb::model::decode_page(page, p, ddb::max_response_depth) ||
            static_cast<int>(p.records().size()) != count || walk(p) == 0)
            throw std::runtime_error("decode_page: not decoded");
    }
    // The whole call into a page of views (get_records_page), walked.
    void page_call() const {
        std::size_t got = 0, seen = 0;
        ddb::get_records_request req{"it", {}};
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                ddb::get_records_page p = co_await streams.get_records_page(req);
                got = p.records().size();
                seen = walk(p);
            },
            [](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);
            });
        ioc.restart();
        ioc.run();
        if (static_cast<int>(got) != count || seen == 0)
            throw std::runtime_error("get_records_page: wrong record count");
    }
    // Boost.JSON's tokenizer alone (nothing built): the floor.
    void tokenize() const {
        json::basic_parser<null_handler> p(json::parse_options{});
        json::error_code ec;
        if (p.write_some(false, page.data(), page.size(), ec) != page.size() || ec)
            throw std::runtime_error("tokenize: not JSON");
    }
    // The JSON tree in an arena, then the tree decoder (the fallback).
    void tree() const {
        json::monotonic_resource arena(2 * page.size() + 1024);
        ddb::get_records_response r;
        ddb::model::decode(json::parse(page, &arena), r);
        if (static_cast<int>(r.records.size()) != count)
            throw std::runtime_error("decode: wrong record count");
    }
    // The whole call through the client, the answer from the transport seam.
    void call() const {
        std::size_t got = 0;
        ddb::get_records_request req{"it", {}};
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                got = (co_await streams.get_records(req)).records.size();
            },
            [](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);
            });
        ioc.restart();
        ioc.run();
        if (static_cast<int>(got) != count)
            throw std::runtime_error("get_records: wrong record count");
    }
};

} // namespace

int main(int argc, char** argv) try {
    int count = 1000;
    double seconds = 5;
    std::string write_page, only;
    int only_pages = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--records" && i + 1 < argc)
            count = std::stoi(argv[++i]);
        else if (a == "--seconds" && i + 1 < argc)
            seconds = std::stod(argv[++i]);
        else if (a == "--write-page" && i + 1 < argc)
            write_page = argv[++i];
        else if (a == "--only" && i + 2 < argc) {
            only = argv[++i];
            only_pages = std::stoi(argv[++i]);
        } else if (a == "--quick")
            seconds = 2;
        else
            throw std::runtime_error("usage: bench_streams [--records N] [--seconds S] "
                                     "[--write-page FILE] [--quick] "
                                     "[--only text|tree|tokenize|call|page|page_call PAGES]");
    }
    const std::string page = records_page(count);
    if (!write_page.empty())
        std::ofstream(write_page, std::ios::binary) << page;

    asio::io_context ioc;
    ddb::client_config cfg;
    cfg.region = "eu-west-1";
    cfg.endpoint = "https://streams.dynamodb.eu-west-1.amazonaws.com";
    cfg.credentials = std::make_shared<ddb::static_provider>(
        ddb::credentials{"AKIDBENCH", "bench-secret", "", {}, "bench", {}});
    cfg.transport = std::make_shared<canned_transport>(page);
    ddb::streams_client streams(ioc.get_executor(), cfg);
    const paths run{page, count, streams, ioc};

    // A fixed number of pages of one path, nothing printed: for callgrind
    // (instructions per record) and perf record.
    if (!only.empty()) {
        for (int i = 0; i < only_pages; ++i)
            only == "text"        ? run.text()
            : only == "tree"      ? run.tree()
            : only == "tokenize"  ? run.tokenize()
            : only == "page"      ? run.page_view()
            : only == "page_call" ? run.page_call()
                                  : run.call();
        return 0;
    }
    auto [text_pages, text_cpu] = measure(seconds, [&] { run.text(); });
    auto [tree_pages, tree_cpu] = measure(seconds, [&] { run.tree(); });
    auto [call_pages, call_cpu] = measure(seconds, [&] { run.call(); });
    auto [floor_pages, floor_cpu] = measure(seconds / 2, [&] { run.tokenize(); });
    auto [view_pages, view_cpu] = measure(seconds, [&] { run.page_view(); });
    auto [page_call_pages, page_call_cpu] = measure(seconds, [&] { run.page_call(); });
    auto per_record = [&](double cpu, int pages) { return cpu * 1e6 / (pages * count); };
    std::printf("{\"bench\":\"streams_decode\",\"impl\":\"ddb\",\"records_per_page\":%d,"
                "\"page_bytes\":%zu,\"pages\":%d,\"cpu_s\":%.4f,\"cpu_us_per_record\":%.3f,"
                "\"decode_pages\":%d,\"decode_us_per_record\":%.3f,"
                "\"tree_pages\":%d,\"tree_decode_us_per_record\":%.3f,"
                "\"tokenize_us_per_record\":%.3f,\"page_pages\":%d,"
                "\"page_cpu_us_per_record\":%.3f,\"page_decode_us_per_record\":%.3f}\n",
                count, page.size(), call_pages, call_cpu, per_record(call_cpu, call_pages),
                text_pages, per_record(text_cpu, text_pages), tree_pages,
                per_record(tree_cpu, tree_pages), per_record(floor_cpu, floor_pages),
                page_call_pages, per_record(page_call_cpu, page_call_pages),
                per_record(view_cpu, view_pages));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_streams: %s\n", e.what());
    return 1;
}
