#include <ddb/credentials/error.hpp>

namespace ddb {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ddb.credentials"; }
    std::string message(int ev) const override {
        switch (static_cast<credentials_errc>(ev)) {
        case credentials_errc::not_found:
            return "no credentials found";
        case credentials_errc::malformed:
            return "malformed credentials";
        case credentials_errc::unsupported:
            return "unsupported credential source";
        case credentials_errc::profile_not_found:
            return "profile not found";
        case credentials_errc::provider_failed:
            return "credentials provider failed";
        }
        return "unknown credentials error";
    }
};

} // namespace

const boost::system::error_category& credentials_category() noexcept {
    static const category instance;
    return instance;
}

} // namespace ddb
