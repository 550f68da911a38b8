// Cross-check against botocore, an independent SigV4 implementation: 250
// randomized DynamoDB-style requests (random targets, regions, keys, JSON
// bodies with multi-byte UTF-8, header case and spacing, with and without
// session tokens) must get identical Authorization headers from both.
#include <ddb/sigv4/signer.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "../support/source_dir.hpp"
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace ddb;
namespace json = boost::json;

struct generated {
    std::string url, body, amz_date, region;
    std::vector<std::pair<std::string, std::string>> headers;
    credentials creds;
    std::chrono::system_clock::time_point time;
};

class generator {
public:
    explicit generator(unsigned seed)
        : rng_(seed) {}

    generated next() {
        static const std::vector<std::string> targets = {
            "GetItem",    "PutItem",       "UpdateItem",       "DeleteItem",         "Query",
            "Scan",       "BatchGetItem",  "BatchWriteItem",   "TransactWriteItems", "CreateTable",
            "ListTables", "DescribeTable", "TransactGetItems", "UpdateTimeToLive"};
        static const std::vector<std::string> regions = {
            "us-east-1",  "us-west-2", "eu-west-1",  "eu-central-1",  "ap-southeast-2",
            "cn-north-1", "sa-east-1", "me-south-1", "us-gov-west-1", "ca-central-1"};
        generated g;
        g.region = pick(regions);
        bool local = coin();
        std::string host = local ? "localhost:" + std::to_string(1024 + rng_() % 60000)
                                 : "dynamodb." + g.region + ".amazonaws.com";
        g.url = (local ? "http://" : "https://") + host + "/";
        g.body = json::serialize(random_object(0));
        // A time between 2001 and 2036.
        g.time = std::chrono::system_clock::time_point(
            std::chrono::seconds(978307200 + static_cast<long long>(rng_() % 1100000000)));
        g.amz_date = sigv4::format_amz_date(g.time);
        g.creds.access_key_id = "AKIA" + random_chars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        g.creds.secret_access_key =
            random_chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        if (coin())
            g.creds.session_token =
                random_chars(100 + rng_() % 300,
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
        auto cased = [&](std::string name) {
            if (coin())
                for (auto& c : name)
                    c = static_cast<char>(std::tolower(c));
            return name;
        };
        g.headers.emplace_back(cased("Host"), host);
        g.headers.emplace_back(cased("Content-Type"), "application/x-amz-json-1.0");
        g.headers.emplace_back(cased("X-Amz-Target"), "DynamoDB_20120810." + pick(targets));
        if (coin())
            g.headers.emplace_back("Content-Length", std::to_string(g.body.size()));
        if (coin())
            g.headers.emplace_back("User-Agent", "ddb/0.1 test"); // never signed
        if (coin())
            g.headers.emplace_back("X-Amzn-Trace-Id", "Root=1-abc"); // never signed
        if (coin())
            g.headers.emplace_back("X-Custom-Meta", "  spaced   out\tvalue  ");
        return g;
    }

private:
    bool coin() { return rng_() % 2 == 0; }
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[rng_() % v.size()];
    }

    std::string random_chars(std::size_t n, std::string_view alphabet) {
        std::string s;
        for (std::size_t i = 0; i < n; ++i)
            s.push_back(alphabet[rng_() % alphabet.size()]);
        return s;
    }

    std::string random_text() {
        static const std::vector<std::string> pieces = {
            "a",    "Z",    "9", " ", "-", "_",     "\"", "\\", "/", "é", "ü", "ß",
            "中文", "日本", "ሴ", "😀", "🚀", "Ωμέγα", "\t", "\n", "%", "+", "&", "="};
        std::string s;
        auto n = rng_() % 12;
        for (unsigned i = 0; i < n; ++i)
            s += pick(pieces);
        return s;
    }

    json::value random_value(int depth) {
        switch (rng_() % (depth > 2 ? 3 : 6)) {
        case 0:
            return json::object{{"S", random_text()}};
        case 1:
            return json::object{{"N", std::to_string(static_cast<long>(rng_() % 200000) - 100000)}};
        case 2:
            return json::object{{"BOOL", coin()}};
        case 3:
            return json::object{{"M", random_object(depth + 1)}};
        case 4: {
            json::array a;
            for (unsigned i = 0, n = rng_() % 4; i < n; ++i)
                a.push_back(random_value(depth + 1));
            return json::object{{"L", a}};
        }
        default:
            return json::object{{"NULL", true}};
        }
    }

    json::object random_object(int depth) {
        json::object o;
        if (depth == 0)
            o["TableName"] = "table-" + random_chars(8, "abcdefghijklmnopqrstuvwxyz");
        for (unsigned i = 0, n = rng_() % 5; i < n; ++i)
            o[random_text() + "k" + std::to_string(i)] = random_value(depth);
        return o;
    }

    std::mt19937 rng_;
};

std::string run_and_capture(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int rc = ::pclose(p);
    INFO("command: " << cmd);
    REQUIRE(rc == 0);
    return out;
}

} // namespace

TEST_CASE("ddb and botocore give identical Authorization headers for 250 random requests",
          "[sigv4][botocore]") {
    constexpr int count = 250;
    generator gen(20261127);
    std::vector<generated> reqs;
    auto input = std::filesystem::temp_directory_path() /
                 ("ddb-botocore-" + std::to_string(::getpid()) + ".jsonl");
    {
        std::ofstream out(input);
        for (int i = 0; i < count; ++i) {
            auto g = gen.next();
            json::array hs;
            for (auto& [n, v] : g.headers)
                hs.push_back(json::array{n, v});
            json::object o{{"method", "POST"},
                           {"url", g.url},
                           {"body", g.body},
                           {"headers", hs},
                           {"access_key", g.creds.access_key_id},
                           {"secret_key", g.creds.secret_access_key},
                           {"token", g.creds.session_token},
                           {"region", g.region},
                           {"service", "dynamodb"},
                           {"amz_date", g.amz_date}};
            out << json::serialize(o) << '\n';
            reqs.push_back(std::move(g));
        }
    }
    std::string script = ddb_test::source_dir() + "/tests/sigv4/botocore_sign.py";
    auto output =
        run_and_capture("/usr/bin/env python3 '" + script + "' < '" + input.string() + "'");
    std::filesystem::remove(input);

    std::istringstream lines(output);
    std::string line;
    int compared = 0, multibyte = 0, with_token = 0;
    sigv4::signing_key_cache cache;
    for (auto& g : reqs) {
        REQUIRE(std::getline(lines, line));
        auto expected = json::parse(line).at("authorization").as_string();
        std::vector<sigv4::header> headers;
        for (auto& [n, v] : g.headers)
            headers.push_back({n, v});
        sigv4::request r;
        r.method = "POST";
        r.path = "/";
        r.headers = headers;
        r.payload = g.body;
        auto result = sigv4::sign(r, {g.creds, g.region, "dynamodb", g.time}, &cache);
        INFO("request " << compared << " body " << g.body);
        CHECK(result.authorization == std::string_view(expected));
        ++compared;
        multibyte += std::any_of(g.body.begin(), g.body.end(), [](char c) { return c & 0x80; });
        with_token += !g.creds.session_token.empty();
    }
    CHECK(compared == count);
    // The sample really covers what it claims to.
    CHECK(multibyte > count / 4);
    CHECK(with_token > count / 4);
    CHECK(with_token < count);
}
