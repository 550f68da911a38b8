// ddb — the error category shared by ddb's error enums.
#pragma once

#include <boost/system/error_category.hpp>

#include <cstddef>
#include <string>

namespace ddb::detail {

/// An error category for an enum numbered 1..N, described by a table of N
/// messages in enum order.
class table_category final : public boost::system::error_category {
public:
    template <std::size_t N>
    constexpr table_category(const char* name, const char* const (&messages)[N]) noexcept
        : name_(name)
        , messages_(messages)
        , count_(N) {}

    const char* name() const noexcept override { return name_; }
    std::string message(int ev) const override {
        if (ev >= 1 && static_cast<std::size_t>(ev) <= count_)
            return messages_[ev - 1];
        return "unknown " + std::string(name_) + " error " + std::to_string(ev);
    }

private:
    const char* name_;
    const char* const* messages_;
    std::size_t count_;
};

} // namespace ddb::detail
