//
// bench_alloc — heap allocations per GetItem (and PutItem) through the client,
// against the canned nginx (bench/canned; bench/run.py passes its endpoint).
//
//   bench_alloc --endpoint URL [--calls N] [--warmup W]
//
// Counting: this binary replaces malloc/calloc/realloc/free (forwarding to
// glibc's __libc_* entry points), so every heap allocation of the process is
// seen, whether it comes from operator new (replaced too, counted separately),
// Boost or OpenSSL. Counting is switched on only around N sequential calls
// made after W warm-up calls (connection open, caches filled), one call in
// flight on one thread. One JSON line per path:
//   {"bench":"alloc","path":"call_getitem","calls":N,"allocs_per_call":..,
//    "news_per_call":..,"bytes_per_call":..,"frees_per_call":..}
// path: call_getitem / call_putitem (client::call with a JSON request, as
// bench_client), typed_getitem (client::get_item, a reused request: copied,
// as request_copy alone shows), async_getitem (async_get_item with
// use_awaitable: the token layer).
//
#include <ddb/client/client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/value/item.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <new>
#include <sstream>

namespace asio = boost::asio;
namespace json = boost::json;

// ---- counting allocator -------------------------------------------------

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);
}

namespace counter {
std::atomic<bool> on{false};
std::atomic<std::uint64_t> allocs{0}, frees{0}, news{0}, bytes{0};

inline void alloc(std::size_t n) {
    if (on.load(std::memory_order_relaxed)) {
        allocs.fetch_add(1, std::memory_order_relaxed);
        bytes.fetch_add(n, std::memory_order_relaxed);
    }
}
inline void release(void* p) {
    if (p && on.load(std::memory_order_relaxed))
        frees.fetch_add(1, std::memory_order_relaxed);
}
} // namespace counter

extern "C" void* malloc(std::size_t n) noexcept {
    counter::alloc(n);
    return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t k, std::size_t n) noexcept {
    counter::alloc(k * n);
    return __libc_calloc(k, n);
}
extern "C" void* realloc(void* p, std::size_t n) noexcept {
    counter::alloc(n); // a realloc may move: counted as an allocation
    return __libc_realloc(p, n);
}
extern "C" void free(void* p) noexcept {
    counter::release(p);
    __libc_free(p);
}

void* operator new(std::size_t n) {
    if (counter::on.load(std::memory_order_relaxed))
        counter::news.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return operator new(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
    return operator new(n, t);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
// Aligned forms (rare here): aligned_alloc is not interposed, so count them here.
void* operator new(std::size_t n, std::align_val_t a) {
    counter::alloc(n);
    if (counter::on.load(std::memory_order_relaxed))
        counter::news.fetch_add(1, std::memory_order_relaxed);
    const auto al = static_cast<std::size_t>(a);
    if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al))
        return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
    return operator new(n, a);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}

// ---- benchmark ------------------------------------------------------------

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct snapshot {
    std::uint64_t allocs, frees, news, bytes;
    static snapshot now() {
        return {counter::allocs.load(), counter::frees.load(), counter::news.load(),
                counter::bytes.load()};
    }
};

// Runs `one()` W times, then N times counted; prints the per-call figures.
// The paths to run (--paths): a comma-framed list, or empty for all.
std::string selected_paths;

template <class One>
asio::awaitable<void> count(const char* path, int warmup, int calls, One& one) {
    if (!selected_paths.empty() &&
        selected_paths.find("," + std::string(path) + ",") == std::string::npos)
        co_return;
    for (int i = 0; i < warmup; ++i)
        co_await one();
    const snapshot a = snapshot::now();
    counter::on = true;
    for (int i = 0; i < calls; ++i)
        co_await one();
    counter::on = false;
    const snapshot b = snapshot::now();
    const double n = calls;
    std::printf("{\"bench\":\"alloc\",\"path\":\"%s\",\"calls\":%d,\"allocs_per_call\":%.2f,"
                "\"news_per_call\":%.2f,\"bytes_per_call\":%.0f,\"frees_per_call\":%.2f}\n",
                path, calls, double(b.allocs - a.allocs) / n, double(b.news - a.news) / n,
                double(b.bytes - a.bytes) / n, double(b.frees - a.frees) / n);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) try {
    std::string endpoint;
    int calls = 10000, warmup = 1000;
    std::string paths; // a comma list; empty: all
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i], v = argv[i + 1];
        if (a == "--endpoint")
            endpoint = v;
        else if (a == "--paths")
            paths = "," + v + ",";
        else if (a == "--calls")
            calls = std::stoi(v);
        else if (a == "--warmup")
            warmup = std::stoi(v);
        else
            throw std::runtime_error("unknown option " + a);
    }
    if (endpoint.empty())
        throw std::runtime_error(
            "usage: bench_alloc --endpoint URL [--calls N] [--warmup W] [--paths a,b]");
    selected_paths = paths;
    const std::string dir = std::string(DDB_SOURCE_DIR) + "/bench/canned/";
    const json::value get_json = json::parse(read(dir + "getitem-request.json"));
    const json::value put_json = json::parse(read(dir + "putitem-request.json"));
    ddb::get_item_request typed_get;
    typed_get.table_name = get_json.at("TableName").as_string().c_str();
    typed_get.key = ddb::item_from_json(get_json.at("Key"));

    asio::io_context ioc(1);
    ddb::client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = endpoint;
    cfg.credentials = std::make_shared<ddb::static_provider>(
        ddb::credentials{"AKIDBENCH", "bench-secret", "", {}, "bench", {}});
    ddb::retry_config retry;
    retry.max_attempts = 1;
    cfg.retry = retry;
    ddb::client c(ioc.get_executor(), cfg);

    bool done = false;
    std::exception_ptr error;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            // Named lambdas: no temporaries inside co_await operands (GCC 12).
            auto get_call = [&]() -> asio::awaitable<void> {
                auto v = co_await c.call("GetItem", get_json);
                if (!v.as_object().contains("Item"))
                    throw std::runtime_error("GetItem: no Item");
            };
            auto get_typed = [&]() -> asio::awaitable<void> {
                auto r = co_await c.get_item(typed_get);
                if (!r.item)
                    throw std::runtime_error("get_item: no item");
            };
            // What the by-value request costs a caller that reuses one: its copy.
            auto request_copy = [&]() -> asio::awaitable<void> {
                ddb::get_item_request copy = typed_get;
                if (copy.key.empty())
                    throw std::runtime_error("no key");
                co_return;
            };
            // The asynchronous form with use_awaitable: the token layer's cost.
            auto get_async = [&]() -> asio::awaitable<void> {
                auto r = co_await c.async_get_item(typed_get, asio::use_awaitable);
                if (!r.item)
                    throw std::runtime_error("async_get_item: no item");
            };
            auto put_call = [&]() -> asio::awaitable<void> {
                auto v = co_await c.call("PutItem", put_json);
                if (!v.is_object())
                    throw std::runtime_error("PutItem: not an object");
            };
            co_await count("call_getitem", warmup, calls, get_call);
            co_await count("typed_getitem", warmup, calls, get_typed);
            co_await count("call_putitem", warmup, calls, put_call);
            co_await count("request_copy", warmup, calls, request_copy);
            co_await count("async_getitem", warmup, calls, get_async);
        },
        [&](std::exception_ptr e) {
            error = e;
            done = true;
        });
    while (!done && ioc.run_one() > 0) {
    }
    if (error)
        std::rethrow_exception(error);
    return 0;
} catch (const std::exception& e) {
    std::cerr << "bench_alloc: " << e.what() << "\n";
    return 1;
}
