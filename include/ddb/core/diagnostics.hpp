// ddb — what a failed operation threw, for code on the error-code path.
#pragma once

#include <ddb/core/error.hpp>

#include <exception>
#include <string>

namespace ddb {

/** The exception behind an error code.

    The `async_<name>(..., diagnostics&, token)` overloads complete with an
    `error_code` and keep the typed exception here, so code that does not
    catch still reaches its data: the old item of a failed condition, a
    transaction's reasons per action, an append's expected and actual
    versions, the request id of a service error (the Boost.MySQL pattern).

        ddb::diagnostics diag;
        auto [ec, r] = co_await c.async_put_item(req, diag, asio::as_tuple);
        if (ec == ddb::errc::conditional_check_failed)
            if (auto* e = diag.get<ddb::conditional_check_failed>(); e && e->item())
                use(*e->item());

    Cleared when an operation starts; set only when it fails.

    Thread safety: distinct objects: safe. Shared objects: unsafe; give each
    operation in flight its own (it is written when the operation completes).
*/
class diagnostics {
public:
    /// The exception, or null after a success.
    const std::exception_ptr& exception() const noexcept { return exception_; }

    /// The exception as `E` (a type it is or derives from), or null. The
    /// pointer stays valid while this object holds the same exception.
    template <class E>
    const E* get() const noexcept {
        if (!exception_)
            return nullptr;
        try {
            std::rethrow_exception(exception_);
        } catch (const E& e) {
            return &e; // the exception object the exception_ptr owns
        } catch (...) {
        }
        return nullptr;
    }

    /// The exception's `what()`, empty after a success.
    std::string message() const {
        if (auto* e = get<std::exception>())
            return e->what();
        return exception_ ? "unknown exception" : "";
    }

    void clear() noexcept { exception_ = nullptr; }
    void assign(std::exception_ptr e) noexcept { exception_ = std::move(e); }

private:
    std::exception_ptr exception_;
};

} // namespace ddb
