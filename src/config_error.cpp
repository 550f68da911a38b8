#include <ddb/config_error.hpp>

namespace ddb {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ddb.config"; }
    std::string message(int ev) const override {
        switch (static_cast<config_errc>(ev)) {
        case config_errc::region_not_found:
            return "no AWS region configured";
        case config_errc::invalid_region:
            return "invalid AWS region name";
        case config_errc::invalid_endpoint:
            return "invalid endpoint URL";
        }
        return "unknown configuration error";
    }
};

} // namespace

const boost::system::error_category& config_category() noexcept {
    static const category instance;
    return instance;
}

} // namespace ddb
