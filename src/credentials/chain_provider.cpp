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

namespace {

// "no AWS credentials: environment: ...; profile 'default': ...": every
// source tried, in order, with what it said.
std::string list_tried(const std::vector<credentials_error::attempt>& tried) {
    std::string msg = "no AWS credentials: ";
    for (std::size_t i = 0; i < tried.size(); ++i)
        msg += (i ? "; " : "") + tried[i].source + ": " + tried[i].reason;
    if (tried.empty())
        msg += "the chain has no sources";
    return msg;
}

} // namespace

boost::asio::awaitable<credentials> chain_provider::fetch() {
    std::vector<credentials_error::attempt> tried;
    for (std::size_t i = 0; i < providers_.size(); ++i) {
        auto& p = providers_[i];
        try {
            auto c = co_await p->fetch();
            served_.store(i + 1, std::memory_order_relaxed);
            co_return c;
        } catch (const credentials_error& e) {
            if (e.code() != credentials_errc::not_found) {
                // A source that has credentials but cannot give them stops
                // the chain; the message still lists the sources before it.
                std::string msg = list_tried(tried) + (tried.empty() ? "" : "; ") + p->name() +
                                  " (failed; the chain stops here): " + e.what();
                tried.push_back({p->name(), e.what()});
                throw credentials_error(static_cast<credentials_errc>(e.code().value()), msg,
                                        std::move(tried));
            }
            tried.push_back({p->name(), e.what()});
        }
    }
    std::string msg = list_tried(tried);
    throw credentials_error(credentials_errc::not_found, msg, std::move(tried));
}

std::string chain_provider::describe() const {
    std::string out = "chain: ";
    for (std::size_t i = 0; i < providers_.size(); ++i)
        out += (i ? ", " : "") + providers_[i]->name();
    auto served = served_.load(std::memory_order_relaxed);
    if (served == 0)
        return out + "; nothing served yet";
    return out + "; served by " + providers_[served - 1]->describe();
}

} // namespace ddb
