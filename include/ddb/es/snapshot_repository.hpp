// ddb::es — the snapshot repository.
#pragma once

#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/snapshot.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <utility>

namespace ddb::es {

/// Implementations: `dynamodb_snapshot_repository`, `in_memory_snapshot_repository`.
///
/// Each operation has `async_<name>(args..., [diagnostics&,] token)` forms
/// (non-virtual, calling the virtual one; `void(error_code, T)`,
/// docs/asio.md). Arguments are taken by value; the repository must
/// outlive the operation.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (both
/// implementations).
class snapshot_repository {
public:
    using executor_type = boost::asio::any_io_executor;

    virtual ~snapshot_repository() = default;
    /// The newest complete and intact snapshot of `uuid`, if any. A snapshot
    /// still being written, or one whose parts are missing or damaged, is
    /// skipped (the one before it is returned).
    virtual boost::asio::awaitable<std::optional<snapshot>> retrieve(std::string uuid) = 0;
    /// Stores `s`; afterwards it is what `retrieve` returns (until a newer
    /// one). Older snapshots beyond the retention count are deleted.
    virtual boost::asio::awaitable<snapshot> persist(snapshot s) = 0;

    /// The executor the repository's operations run on.
    virtual executor_type get_executor() const = 0;

    /// `retrieve`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_retrieve(std::string uuid, Token&& token = default_token()) {
        return async_retrieve_(std::move(uuid), nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_retrieve(std::string uuid, diagnostics& diag, Token&& token = default_token()) {
        return async_retrieve_(std::move(uuid), &diag, std::forward<Token>(token));
    }

    /// `persist`. Cancellation: terminal, partial: `operation_aborted`, the
    /// snapshot stored or not (a partly written one is never read); total:
    /// ignored.
    template <detail::token Token = default_token>
    auto async_persist(snapshot s, Token&& token = default_token()) {
        return async_persist_(std::move(s), nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_persist(snapshot s, diagnostics& diag, Token&& token = default_token()) {
        return async_persist_(std::move(s), &diag, std::forward<Token>(token));
    }

private:
    template <class Token>
    auto async_retrieve_(std::string uuid, diagnostics* diag, Token&& token) {
        return detail::async_op<std::optional<snapshot>>(
            get_executor(),
            [this, uuid = std::move(uuid)]() mutable { return retrieve(std::move(uuid)); }, diag,
            cancellation_support::all, std::forward<Token>(token));
    }
    template <class Token>
    auto async_persist_(snapshot s, diagnostics* diag, Token&& token) {
        return detail::async_op<snapshot>(
            get_executor(), [this, s = std::move(s)]() mutable { return persist(std::move(s)); },
            diag, cancellation_support::terminal_partial, std::forward<Token>(token));
    }
};

} // namespace ddb::es
