// ddb tests — catching secrets that leak into logs, metrics and exceptions.
//
// A `leak_guard` knows the secrets of a run (secret keys, session tokens,
// container authorization tokens, every Authorization header value and
// signature that was sent) and collects every text ddb produced during it: log
// lines, rendered metrics records, each exception's what(), code().message(),
// cause and attached details. `assert_clean()` checks that no secret occurs in
// any of them, and that nothing looks like a signature at all.
#pragma once

#include <ddb/client/errors.hpp>
#include <ddb/client/metrics.hpp>
#include <ddb/credentials/error.hpp>
#include <ddb/http/error.hpp>

#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include <cctype>
#include <exception>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace ddb::test {

/// `prefix` followed by `n` random letters and digits: a value that cannot
/// occur anywhere by chance.
inline std::string random_marker(const std::string& prefix, std::size_t n = 24) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device rd;
    std::mt19937_64 gen(rd());
    std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
    std::string s = prefix;
    for (std::size_t i = 0; i < n; ++i)
        s += alphabet[pick(gen)];
    return s;
}

/// The hex signature of an Authorization header value ("...Signature=<hex>").
inline std::string signature_of(const std::string& authorization) {
    auto at = authorization.find("Signature=");
    return at == std::string::npos ? std::string() : authorization.substr(at + 10);
}

class leak_guard {
public:
    /// A value that must never appear in any collected text.
    void secret(const std::string& value) {
        std::lock_guard lock(mutex_);
        if (!value.empty())
            secrets_.push_back(value);
    }
    /// An Authorization header value that was sent: it and its signature are secrets.
    void authorization(const std::string& value) {
        secret(value);
        secret(signature_of(value));
    }

    void observe(const std::string& where, const std::string& text) {
        std::lock_guard lock(mutex_);
        texts_.push_back({where, text});
    }

    /// Hooks that record every log line and metrics record.
    client_hooks hooks() {
        client_hooks h;
        h.log = [this](log_level, std::string_view line) { observe("log", std::string(line)); };
        h.on_call = [this](const call_metrics& m) { observe("metrics", render(m)); };
        return h;
    }

    /// Records everything an exception says about itself.
    void exception(const std::exception_ptr& e) {
        try {
            std::rethrow_exception(e);
        } catch (const unexpected_response& x) {
            observe("what()", x.what());
            observe("code().message()", x.code().message());
            observe("body_excerpt()", x.body_excerpt());
            observe("content_type()", x.content_type());
        } catch (const service_error& x) {
            observe("what()", x.what());
            observe("code().message()", x.code().message());
            observe("message()", x.message());
        } catch (const http::protocol_error& x) {
            observe("what()", x.what());
            observe("code().message()", x.code().message());
            observe("body_excerpt()", x.body_excerpt());
            observe("content_type()", x.content_type());
        } catch (const credentials_error& x) {
            observe("what()", x.what());
            observe("code().message()", x.code().message());
            for (auto& t : x.tried())
                observe("tried()", t.source + ": " + t.reason);
        } catch (const http::transport_error& x) {
            observe("what()", x.what());
            observe("code().message()", x.code().message());
            observe("cause().message()", x.cause().message());
        } catch (const boost::system::system_error& x) {
            observe("what()", x.what());
            observe("code().message()", x.code().message());
        } catch (const std::exception& x) {
            observe("what()", x.what());
        }
    }

    /// Runs `f`, which must throw; records the exception and returns it.
    template <class F>
    std::exception_ptr failure(F&& f) {
        try {
            std::forward<F>(f)();
        } catch (...) {
            auto e = std::current_exception();
            exception(e);
            return e;
        }
        FAIL("expected an exception");
        return {};
    }

    std::size_t texts() const {
        std::lock_guard lock(mutex_);
        return texts_.size();
    }
    std::size_t secrets() const {
        std::lock_guard lock(mutex_);
        return secrets_.size();
    }

    /// Where a secret (or something that looks like a signature) occurs in
    /// the collected texts: one line per finding.
    std::vector<std::string> findings() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> found;
        for (const auto& [where, text] : texts_) {
            for (const auto& s : secrets_)
                if (text.find(s) != std::string::npos)
                    found.push_back(where + " holds secret '" + s + "': " + text);
            for (const char* pattern : {"Signature=", "AWS4-HMAC-SHA256"})
                if (text.find(pattern) != std::string::npos)
                    found.push_back(where + " holds '" + pattern + "': " + text);
            if (has_hex_run(text, 64))
                found.push_back(where + " holds 64 hex digits: " + text);
        }
        return found;
    }

    /// No secret in any collected text; no text that looks like a SigV4
    /// Authorization header or a 64-digit hex signature either.
    void assert_clean() const {
        for (const auto& f : findings())
            FAIL_CHECK(f);
        CHECK(findings().empty());
    }

    static std::string render(const call_metrics& m) {
        std::string s = m.operation + (m.success ? " ok" : " failed: " + m.error);
        for (const auto& a : m.attempts)
            s += " | status " + std::to_string(a.status) + " error " + a.error + " request " +
                 a.request_id;
        s += " | capacity " + boost::json::serialize(m.consumed_capacity);
        s += " | reasons " + boost::json::serialize(m.throttling_reasons);
        return s;
    }

private:
    static bool has_hex_run(const std::string& s, std::size_t n) {
        std::size_t run = 0;
        for (char c : s) {
            run = std::isxdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
            if (run >= n)
                return true;
        }
        return false;
    }

    struct text {
        std::string where, value;
    };
    mutable std::mutex mutex_;
    std::vector<std::string> secrets_;
    std::vector<text> texts_;
};

} // namespace ddb::test
