#include <ddb/http/transport.hpp>

#include "detail/connect.hpp"
#include "detail/exchange.hpp"
#include "detail/pooled_impl.hpp"

#include <boost/beast/http/field.hpp>

#include <vector>

namespace ddb::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using clock_type = std::chrono::steady_clock;

// ---- The seam ----------------------------------------------------------

pool_stats transport::stats(const origin&) const {
    return {};
}

asio::awaitable<response> transport::send(const origin& to, const request& req,
                                          clock_type::time_point deadline, exchange_info* info) {
    // Content-Length is rendered from the body, as prepare_payload sets it.
    std::vector<header_field> fields;
    for (const auto& f : req.base())
        if (f.name() != bhttp::field::content_length)
            fields.push_back({f.name_string(), f.value()});
    request_view view;
    view.method = req.method_string();
    view.target = req.target();
    view.headers = fields;
    view.body = req.body();
    raw_response raw = co_await send(to, view, deadline, info);
    response res;
    res.result(raw.status());
    res.reason(raw.reason());
    res.version(raw.version());
    for (std::size_t i = 0; i < raw.field_count(); ++i)
        res.insert(raw.field_name(i), raw.field_value(i));
    res.body() = std::move(raw.body());
    co_return res;
}

// ---- The pooled transport ----------------------------------------------

detail::pooled_transport_impl::pooled_transport_impl(asio::any_io_executor e, pool_options o,
                                                     const std::string& settings_name)
    : ex(std::move(e))
    , options(std::move(o))
    , ssl(asio::ssl::context::tls_client)
    , clock(std::make_shared<detail::deadline_clock>(ex)) {
    validate(options, settings_name);
    detail::configure_tls(ssl, options.tls);
}

pooled_transport::pooled_transport(asio::any_io_executor ex, pool_options opts,
                                   const std::string& settings_name)
    : impl_(std::make_shared<detail::pooled_transport_impl>(std::move(ex), std::move(opts),
                                                            settings_name)) {}

pooled_transport::~pooled_transport() {
    impl_->clock->stop();
}

const pool_options& pooled_transport::options() const noexcept {
    return impl_->options;
}

asio::awaitable<raw_response> pooled_transport::send(const origin& to, const request_view& req,
                                                     clock_type::time_point deadline,
                                                     exchange_info* info) {
    return detail::send(*impl_, to, req, deadline, info);
}

pool_stats pooled_transport::stats(const origin& to) const {
    auto pool = impl_->pools.find(to);
    return pool ? pool->stats() : pool_stats{};
}

} // namespace ddb::http
