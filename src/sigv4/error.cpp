#include <ddb/sigv4/error.hpp>

#include <string>

namespace ddb::sigv4 {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ddb.sigv4"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::invalid_header_name:
            return "invalid HTTP header name";
        case errc::invalid_header_value:
            return "HTTP header value contains CR, LF or NUL";
        case errc::missing_host:
            return "request has no host header";
        case errc::date_mismatch:
            return "x-amz-date header differs from the signing time";
        case errc::invalid_method:
            return "invalid HTTP method";
        case errc::missing_parameter:
            return "missing signing parameter";
        }
        return "unknown sigv4 error";
    }
};

} // namespace

const boost::system::error_category& sigv4_category() noexcept {
    static const category instance;
    return instance;
}

} // namespace ddb::sigv4
