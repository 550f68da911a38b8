//
// bench_sigv4 — cost of one SigV4 signature of a typical DynamoDB PutItem
// (1 KB JSON body), next to the hashing it cannot avoid, measured in the same
// run with OpenSSL:
//   SHA-256 of the body + SHA-256 of the canonical request
//   + HMAC-SHA256(signing key, string to sign)   (the "floor").
// Prints one JSON object per line: sigv4_sign (warm key cache) and
// sigv4_sign_cold (key derived on every call). Target: warm ratio <= 2.0.
//   bench_sigv4 [--quick]    (--quick: shorter rounds)
//
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <ddb/sigv4.hpp>

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
volatile unsigned char sink;

// Median over `rounds` of the mean ns per call of `f`, each round ~`round_ms`.
int g_rounds = 9, g_round_ms = 60; // --quick: 5 rounds of 25 ms

double measure(const std::function<void()>& f, int rounds = g_rounds, int round_ms = g_round_ms) {
    // Calibrate iterations per round.
    std::size_t iters = 1;
    for (;;) {
        auto t0 = clock_type::now();
        for (std::size_t i = 0; i < iters; ++i)
            f();
        auto ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0).count();
        if (ns > round_ms * 1e6 / 4) {
            iters = static_cast<std::size_t>(iters * (round_ms * 1e6 / ns)) + 1;
            break;
        }
        iters *= 4;
    }
    std::vector<double> per_call;
    for (int r = 0; r < rounds; ++r) {
        auto t0 = clock_type::now();
        for (std::size_t i = 0; i < iters; ++i)
            f();
        per_call.push_back(
            std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / iters);
    }
    std::sort(per_call.begin(), per_call.end());
    return per_call[per_call.size() / 2];
}

// HMAC-SHA256 from scratch with OpenSSL's SHA-256 (key pads hashed every call):
// what any signer must at least do for the final HMAC without a midstate cache.
void hmac_floor(const unsigned char* key, std::size_t key_len, const std::string& msg,
                unsigned char* out) {
    unsigned char block[64] = {}, ipad[64], opad[64], inner[32];
    std::memcpy(block, key, key_len);
    for (int i = 0; i < 64; ++i) {
        ipad[i] = block[i] ^ 0x36;
        opad[i] = block[i] ^ 0x5c;
    }
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, ipad, 64);
    SHA256_Update(&c, msg.data(), msg.size());
    SHA256_Final(inner, &c);
    SHA256_Init(&c);
    SHA256_Update(&c, opad, 64);
    SHA256_Update(&c, inner, 32);
    SHA256_Final(out, &c);
}

std::string put_item_body() {
    std::string body =
        R"j({"TableName":"stored_events","Item":{"aggregate_uuid":{"S":"6f1c2a9e-1b7d-4c55-9a1e-3f0b8d2c7e41"},"id":{"N":"1795751930395001"},"event_class":{"S":"MoneyAdded"},"event_properties":{"S":")j";
    while (body.size() < 1000)
        body += "amount=100;currency=EUR;";
    body += R"j("}},"ConditionExpression":"attribute_not_exists(id)"})j";
    return body;
}

void print(const char* name, double ns, double floor_ns) {
    std::printf("{\"bench\":\"%s\",\"ns_per_op\":%.1f,\"floor_ns\":%.1f,\"ratio\":%.3f}\n", name,
                ns, floor_ns, ns / floor_ns);
}

} // namespace

int main(int argc, char** argv) {
    using namespace std::chrono;
    if (argc > 1 && std::string(argv[1]) == "--quick") {
        g_rounds = 5;
        g_round_ms = 25;
    }
    const ddb::credentials creds{
        "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", {}, "bench", {}};
    const std::string body = put_item_body();
    const auto now = sys_days{2026y / November / 27} + 10h;
    ddb::sigv4::header headers[] = {{"host", "dynamodb.us-east-1.amazonaws.com"},
                                    {"content-type", "application/x-amz-json-1.0"},
                                    {"x-amz-target", "DynamoDB_20120810.PutItem"}};
    ddb::sigv4::request req;
    req.headers = headers;
    req.payload = body;
    ddb::sigv4::signing_params params{creds, "us-east-1", "dynamodb", now};

    // The exact texts the signer hashes, for a floor of the same sizes.
    ddb::sigv4::signing_trace trace;
    ddb::sigv4::sign(req, params, nullptr, &trace);
    const std::string creq = trace.canonical_request, sts = trace.string_to_sign;
    ddb::sigv4::signing_key key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20261127", "us-east-1",
                                "dynamodb");

    // The floor uses OpenSSL's fastest SHA-256 entry points (SHA256_Init /
    // Update / Final: the same assembly as EVP without the provider dispatch;
    // the one-shot SHA256() goes through EVP in OpenSSL 3 and costs more).
    auto sha256 = [](const std::string& data, unsigned char* out) {
        SHA256_CTX c;
        SHA256_Init(&c);
        SHA256_Update(&c, data.data(), data.size());
        SHA256_Final(out, &c);
    };
    auto floor_op = [&] {
        unsigned char d1[32], d2[32], mac[32];
        sha256(body, d1);
        sha256(creq, d2);
        hmac_floor(key.bytes().data(), key.bytes().size(), sts, mac);
        sink = d1[0] ^ d2[0] ^ mac[0];
    };
    ddb::sigv4::signing_key_cache cache;
    auto warm_op = [&] {
        sink =
            static_cast<unsigned char>(ddb::sigv4::sign(req, params, &cache).authorization.back());
    };
    auto cold_op = [&] {
        sink =
            static_cast<unsigned char>(ddb::sigv4::sign(req, params, nullptr).authorization.back());
    };
    auto openssl_hmac_op = [&] {
        unsigned char mac[32];
        unsigned int len = 0;
        HMAC(EVP_sha256(), key.bytes().data(), 32,
             reinterpret_cast<const unsigned char*>(sts.data()), sts.size(), mac, &len);
        sink = mac[0];
    };

    // Interleave the measurements so drift on a shared machine hits both alike.
    std::vector<double> floors, warms, colds;
    for (int round = 0; round < 3; ++round) {
        floors.push_back(measure(floor_op));
        warms.push_back(measure(warm_op));
        colds.push_back(measure(cold_op));
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    double floor_ns = median(floors);
    print("sigv4_sign", median(warms), floor_ns);
    print("sigv4_sign_cold", median(colds), floor_ns);
    std::printf("{\"bench\":\"sigv4_openssl_hmac_api\",\"ns_per_op\":%.1f,\"note\":\"OpenSSL "
                "HMAC() one-shot of the string to sign, for reference\"}\n",
                measure(openssl_hmac_op));
    std::printf("{\"bench\":\"sigv4_sizes\",\"body_bytes\":%zu,\"canonical_request_bytes\":%zu,"
                "\"string_to_sign_bytes\":%zu}\n",
                body.size(), creq.size(), sts.size());
}
