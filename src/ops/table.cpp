// The table view (<ddb/ops/table.hpp>): typed requests built from the view's
// arguments, sent by the client's typed operations.
#include <ddb/ops/paginator.hpp>
#include <ddb/ops/table.hpp>

namespace ddb {

namespace asio = boost::asio;

namespace {

asio::awaitable<std::optional<item>> fetch_item(client c, get_item_request r) {
    auto answer = co_await c.get_item(std::move(r));
    co_return std::move(answer.item);
}

} // namespace

ddb::table client::table(std::string name) {
    return ddb::table(*this, std::move(name));
}

table::table(const client& c, std::string name)
    : client_(c.share())
    , name_(std::move(name)) {}
table::table(const table& other)
    : client_(other.client_.share())
    , name_(other.name_) {}
table& table::operator=(const table& other) {
    if (this != &other) {
        client_ = other.client_.share();
        name_ = other.name_;
    }
    return *this;
}

get_item_request table::get_request(item key, const get_options& o) const {
    get_item_request r;
    r.table_name = name_;
    r.key = std::move(key);
    if (o.consistent_)
        r.consistent_read = true;
    if (o.projection_) {
        expr::parameters p;
        r.projection_expression = p.render(*o.projection_);
        p.apply_to(r);
    }
    return r;
}

put_item_request table::put_request(item whole, const write_options& o) const {
    put_item_request r;
    r.table_name = name_;
    r.item = std::move(whole);
    expr::parameters p;
    apply_write(r, o, p);
    return r;
}

update_item_request table::update_request(item key, const expr::update& changes,
                                          const write_options& o) const {
    update_item_request r;
    r.table_name = name_;
    r.key = std::move(key);
    expr::parameters p;
    if (!changes.empty())
        r.update_expression = p.render(changes);
    apply_write(r, o, p);
    return r;
}

delete_item_request table::delete_request(item key, const write_options& o) const {
    delete_item_request r;
    r.table_name = name_;
    r.key = std::move(key);
    expr::parameters p;
    apply_write(r, o, p);
    return r;
}

// The condition, return values and old-item options of a write.
template <class Request>
void table::apply_write(Request& r, const write_options& o, expr::parameters& p) {
    if (o.condition_)
        r.condition_expression = p.render(*o.condition_);
    if (o.returning_)
        r.return_values = *o.returning_;
    if (o.old_on_failure_)
        r.return_values_on_condition_check_failure =
            return_values_on_condition_check_failure::all_old;
    p.apply_to(r);
}

// Index, filter, projection, consistency and page size of a read.
template <class Request>
void table::apply_read(Request& r, const read_options& o, expr::parameters& p) {
    r.index_name = o.index_;
    if (o.filter_)
        r.filter_expression = p.render(*o.filter_);
    if (o.projection_)
        r.projection_expression = p.render(*o.projection_);
    if (o.consistent_)
        r.consistent_read = true;
    r.limit = o.page_size_;
    p.apply_to(r);
}

query_request table::query_request_for(const expr::condition& key_condition,
                                       const read_options& o) const {
    query_request r;
    r.table_name = name_;
    expr::parameters p;
    r.key_condition_expression = p.render(key_condition);
    if (o.descending_)
        r.scan_index_forward = false;
    apply_read(r, o, p);
    return r;
}

scan_request table::scan_request_for(const read_options& o) const {
    scan_request r;
    r.table_name = name_;
    expr::parameters p;
    apply_read(r, o, p);
    return r;
}

asio::awaitable<std::optional<item>> table::get(item key, get_options o) const {
    return fetch_item(client_.share(), get_request(std::move(key), o));
}
asio::awaitable<put_item_response> table::put(item whole, write_options o) const {
    return client_.share().put_item(put_request(std::move(whole), o));
}
asio::awaitable<update_item_response> table::update(item key, expr::update changes,
                                                    write_options o) const {
    return client_.share().update_item(update_request(std::move(key), changes, o));
}
asio::awaitable<delete_item_response> table::remove(item key, write_options o) const {
    return client_.share().delete_item(delete_request(std::move(key), o));
}
generator<item> table::query(expr::condition key_condition, read_options o) const {
    client c = client_.share(); // the generator keeps its own handle
    return query_items(c, query_request_for(key_condition, o), o.prefetch_);
}
generator<item> table::scan(read_options o) const {
    client c = client_.share();
    return scan_items(c, scan_request_for(o), o.prefetch_);
}

} // namespace ddb
