// ddb — one table's common calls, one statement each.
//
//   auto accounts = client.table("accounts");
//   co_await accounts.put(account_item, ddb::write_options().only_if(
//                             expr::attribute_not_exists(expr::path("pk"))));
//   std::optional<ddb::item> a = co_await accounts.get(ddb::key("pk", "acct-1"));
//   co_await accounts.update(ddb::key("pk", "acct-1"),
//                            expr::update().set(expr::path("balance"), expr::value(5)));
//   auto items = accounts.query(expr::path("pk") == expr::value("acct-1"));
//   while (auto it = co_await items.next()) use(*it);
//
// Every argument type here is a class with constructors (no aggregate, no
// initializer list), so these calls are safe inside a `co_await` operand on
// GCC 12, which destroys braced aggregate temporaries there twice. Options
// are set with chained setters (`ddb::write_options().only_if(c)`). The
// expressions are rendered through one `expr::parameters` per call, so
// every name goes through a placeholder.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/ops/generator.hpp>
#include <ddb/value/expression.hpp>
#include <ddb/value/item.hpp>
#include <ddb/value/key.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ddb {

/// Options of `table::get`.
class get_options {
public:
    get_options() = default;
    /// A strongly consistent read.
    get_options& consistent(bool on = true) {
        consistent_ = on;
        return *this;
    }
    /// Only these attributes.
    get_options& project(expr::projection p) {
        projection_ = std::move(p);
        return *this;
    }

private:
    friend class table;
    bool consistent_ = false;
    std::optional<expr::projection> projection_;
};

/// Options of `table::put`, `update` and `remove`.
class write_options {
public:
    write_options() = default;
    /// Write only if `c` holds (else `conditional_check_failed`).
    write_options& only_if(expr::condition c) {
        condition_ = std::move(c);
        return *this;
    }
    /// What the response's `attributes` hold (put and remove: `none` or
    /// `all_old`; update: any).
    write_options& returning(return_values v) {
        returning_ = v;
        return *this;
    }
    /// A failed condition's error carries the item as it was
    /// (`conditional_check_failed::item()`).
    write_options& old_item_on_failure(bool on = true) {
        old_on_failure_ = on;
        return *this;
    }

private:
    friend class table;
    std::optional<expr::condition> condition_;
    std::optional<return_values> returning_;
    bool old_on_failure_ = false;
};

/// Options of `table::query` and `table::scan`.
class read_options {
public:
    read_options() = default;
    /// Read this secondary index instead of the table.
    read_options& index(std::string name) {
        index_ = std::move(name);
        return *this;
    }
    /// Only the items for which `c` holds reach the consumer (DynamoDB
    /// still reads, and charges for, the others).
    read_options& filter(expr::condition c) {
        filter_ = std::move(c);
        return *this;
    }
    read_options& project(expr::projection p) {
        projection_ = std::move(p);
        return *this;
    }
    read_options& consistent(bool on = true) {
        consistent_ = on;
        return *this;
    }
    /// Query: descending sort key order.
    read_options& descending(bool on = true) {
        descending_ = on;
        return *this;
    }
    /// Items evaluated per page (DynamoDB's `Limit`), not items in all.
    read_options& page_size(std::int32_t n) {
        page_size_ = n;
        return *this;
    }
    /// Pages fetched ahead of the consumer.
    read_options& prefetch(std::size_t n) {
        prefetch_ = n;
        return *this;
    }

private:
    friend class table;
    std::optional<std::string> index_;
    std::optional<expr::condition> filter_;
    std::optional<expr::projection> projection_;
    bool consistent_ = false;
    bool descending_ = false;
    std::optional<std::int32_t> page_size_;
    std::size_t prefetch_ = 1;
};

/** One table of a client, for the common calls in one statement.

    Each call builds the typed request and runs the client's typed operation
    (same retries, errors and cancellation: reads honour terminal, partial
    and total cancellation; writes terminal and partial, docs/asio.md). The
    view holds a handle on the client's state: it may outlive the `client`
    object it came from (not its io_context).

    Thread safety: distinct objects: safe. Shared objects: safe (the view
    is immutable; calls run concurrently as on the client).
*/
class table {
public:
    using executor_type = client::executor_type;
    using default_token = client::default_token;

    table(const client& c, std::string name);
    table(const table& other);
    table& operator=(const table& other);
    table(table&&) noexcept = default;
    table& operator=(table&&) noexcept = default;

    const std::string& name() const noexcept { return name_; }
    executor_type get_executor() const noexcept { return client_.get_executor(); }

    /// GetItem: the item, or nothing when there is none with this key.
    boost::asio::awaitable<std::optional<item>> get(item key, get_options o = {}) const;
    /// PutItem of the whole item.
    boost::asio::awaitable<put_item_response> put(item whole, write_options o = {}) const;
    /// UpdateItem with an update expression.
    boost::asio::awaitable<update_item_response> update(item key, expr::update changes,
                                                        write_options o = {}) const;
    /// DeleteItem (`delete` is a keyword).
    boost::asio::awaitable<delete_item_response> remove(item key, write_options o = {}) const;
    /// The items of a Query (all pages) whose key satisfies `key_condition`.
    generator<item> query(expr::condition key_condition, read_options o = {}) const;
    /// The items of a Scan (all pages).
    generator<item> scan(read_options o = {}) const;

    /// The typed requests these calls send, for what the view does not cover.
    get_item_request get_request(item key, const get_options& o = {}) const;
    put_item_request put_request(item whole, const write_options& o = {}) const;
    update_item_request update_request(item key, const expr::update& changes,
                                       const write_options& o = {}) const;
    delete_item_request delete_request(item key, const write_options& o = {}) const;
    query_request query_request_for(const expr::condition& key_condition,
                                    const read_options& o = {}) const;
    scan_request scan_request_for(const read_options& o = {}) const;

    /// \name Asynchronous forms
    /// `void(error_code, T)` with the short form's T; the `diagnostics&`
    /// overloads keep the typed exception (docs/asio.md).
    /// @{
    template <class Token = default_token>
    auto async_get(item key, get_options o, Token&& token) const {
        return start<std::optional<item>>(
            [k = std::move(key), o = std::move(o)](const table& t) mutable {
                return t.get(std::move(k), std::move(o));
            },
            nullptr, cancellation_support::all, std::forward<Token>(token));
    }
    template <class Token = default_token>
    auto async_get(item key, get_options o, diagnostics& diag, Token&& token) const {
        return start<std::optional<item>>(
            [k = std::move(key), o = std::move(o)](const table& t) mutable {
                return t.get(std::move(k), std::move(o));
            },
            &diag, cancellation_support::all, std::forward<Token>(token));
    }
    template <class Token = default_token>
    auto async_put(item whole, write_options o, Token&& token) const {
        return start<put_item_response>(
            [w = std::move(whole), o = std::move(o)](const table& t) mutable {
                return t.put(std::move(w), std::move(o));
            },
            nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token = default_token>
    auto async_put(item whole, write_options o, diagnostics& diag, Token&& token) const {
        return start<put_item_response>(
            [w = std::move(whole), o = std::move(o)](const table& t) mutable {
                return t.put(std::move(w), std::move(o));
            },
            &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token = default_token>
    auto async_update(item key, expr::update changes, write_options o, Token&& token) const {
        return start<update_item_response>(
            [k = std::move(key), u = std::move(changes), o = std::move(o)](const table& t) mutable {
                return t.update(std::move(k), std::move(u), std::move(o));
            },
            nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token = default_token>
    auto async_update(item key, expr::update changes, write_options o, diagnostics& diag,
                      Token&& token) const {
        return start<update_item_response>(
            [k = std::move(key), u = std::move(changes), o = std::move(o)](const table& t) mutable {
                return t.update(std::move(k), std::move(u), std::move(o));
            },
            &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token = default_token>
    auto async_remove(item key, write_options o, Token&& token) const {
        return start<delete_item_response>(
            [k = std::move(key), o = std::move(o)](const table& t) mutable {
                return t.remove(std::move(k), std::move(o));
            },
            nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token = default_token>
    auto async_remove(item key, write_options o, diagnostics& diag, Token&& token) const {
        return start<delete_item_response>(
            [k = std::move(key), o = std::move(o)](const table& t) mutable {
                return t.remove(std::move(k), std::move(o));
            },
            &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    /// @}

private:
    template <class Request>
    static void apply_write(Request& r, const write_options& o, expr::parameters& p);
    template <class Request>
    static void apply_read(Request& r, const read_options& o, expr::parameters& p);

    template <class T, class Fn, class Token>
    auto start(Fn fn, diagnostics* diag, cancellation_support support, Token&& token) const {
        return detail::async_run<T>(
            get_executor(), [t = *this, fn = std::move(fn)]() mutable { return fn(t); }, diag,
            support, std::forward<Token>(token));
    }

    client client_; // a handle sharing the client's state
    std::string name_;
};

} // namespace ddb
