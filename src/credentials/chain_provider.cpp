#include <ddb/credentials/chain_provider.hpp>

namespace ddb {

chain_provider::chain_provider(std::vector<credentials_provider_ptr> providers)
    : providers_(std::move(providers)) {}

std::string chain_provider::name() const {
    std::string n = "chain(";
    for (std::size_t i = 0; i < providers_.size(); ++i)
        n += (i ? ", " : "") + providers_[i]->name();
    return n + ")";
}

void chain_provider::invalidate() {
    for (auto& p : providers_)
        p->invalidate();
}

boost::asio::awaitable<credentials> chain_provider::fetch() {
    std::vector<credentials_error::attempt> tried;
    for (auto& p : providers_) {
        try {
            co_return co_await p->fetch();
        } catch (const credentials_error& e) {
            if (e.code() != credentials_errc::not_found) {
                std::string msg = p->name() + ": " + e.what();
                throw credentials_error(static_cast<credentials_errc>(e.code().value()), msg,
                                        std::move(tried));
            }
            tried.push_back({p->name(), e.what()});
        }
    }
    std::string msg = "no AWS credentials found; tried: ";
    for (std::size_t i = 0; i < tried.size(); ++i)
        msg += (i ? "; " : "") + tried[i].source + " (" + tried[i].reason + ")";
    if (tried.empty())
        msg += "no sources";
    throw credentials_error(credentials_errc::not_found, msg, std::move(tried));
}

} // namespace ddb
