#include "endpoint_selector.hpp"

namespace ddb::detail {
namespace {

// "https://dynamodb.us-east-1.amazonaws.com": the URL without the path "/".
std::string shown_url(const endpoint& e) {
    std::string s = e.scheme + "://" + e.host_header();
    if (e.path != "/")
        s += e.path;
    return s;
}

// Where the settings behind a form came from, "" when defaults.
std::string why(const dynamodb_endpoint& d) {
    const auto& s = d.settings;
    switch (d.base.form) {
    case endpoint_form::configured:
        return d.base.endpoint.source;
    case endpoint_form::fips:
        return s.fips_source;
    case endpoint_form::dualstack:
        return s.dualstack_source;
    case endpoint_form::fips_dualstack:
        return s.fips_source + ", " + s.dualstack_source;
    case endpoint_form::local:
        return "region local";
    default:
        return {};
    }
}

} // namespace

endpoint_target::endpoint_target(service_endpoint e, std::string account, std::string source)
    : where(std::move(e))
    , origin{where.endpoint.tls(), where.endpoint.host, where.endpoint.port}
    , host_header(where.endpoint.host_header())
    , account_id(std::move(account))
    , account_source(std::move(source)) {}

endpoint_selector::endpoint_selector(dynamodb_endpoint resolved,
                                     std::function<void(const std::string&)> on_new_target)
    : resolved_(std::move(resolved))
    , base_(resolved_.base)
    , on_new_target_(std::move(on_new_target)) {}

const endpoint_target&
endpoint_selector::select_account(const credentials& c,
                                  std::shared_ptr<const endpoint_target>& keep) {
    if (c.account_id.empty()) {
        if (resolved_.settings.account_mode == account_id_endpoint_mode::required)
            resolved_.for_credentials(c.account_id, c.source);      // throws: no account id
        if (!used_without_account_.load(std::memory_order_relaxed)) // (no write per call)
            used_without_account_.store(true, std::memory_order_relaxed);
        return base_;
    }
    {
        std::lock_guard lock(mutex_);
        if (account_ && account_->account_id == c.account_id &&
            account_->account_source == c.source) {
            keep = account_;
            return *keep;
        }
    }
    auto fresh = std::make_shared<const endpoint_target>(
        resolved_.for_credentials(c.account_id, c.source), c.account_id, c.source);
    {
        std::lock_guard lock(mutex_);
        account_ = fresh;
    }
    keep = std::move(fresh);
    if (on_new_target_)
        on_new_target_("endpoint: " + describe());
    return *keep;
}

std::shared_ptr<const endpoint_target> endpoint_selector::current_account() const {
    std::lock_guard lock(mutex_);
    return account_;
}

std::string endpoint_selector::describe() const {
    if (auto account = current_account())
        return "account-based " + shown_url(account->where.endpoint) +
               " (account from credentials: " + account->account_source + ")";
    std::string s =
        std::string(to_string(resolved_.base.form)) + " " + shown_url(resolved_.base.endpoint);
    std::string from = why(resolved_);
    if (resolved_.account_based)
        from.append(from.empty() ? "" : "; ")
            .append(used_without_account_.load(std::memory_order_relaxed)
                        ? "the credentials carry no account id, so not account-based"
                        : "account-based once credentials with an account id are used");
    if (!from.empty())
        s.append(" (").append(from).append(")");
    return s;
}

} // namespace ddb::detail
