// ddb — the error category shared by ddb's error enums.
#pragma once

#include <ddb/core/errc.hpp>

#include <boost/system/error_category.hpp>

#include <cstddef>
#include <string>

namespace ddb::detail {

/// An error category for an enum numbered 1..N, described by a table of N
/// messages in enum order, and optionally by a table of N `ddb::errc`
/// conditions (a zero entry: no condition), which the codes compare equal to.
class table_category final : public boost::system::error_category {
public:
    template <std::size_t N>
    constexpr table_category(const char* name, const char* const (&messages)[N]) noexcept
        : name_(name)
        , messages_(messages)
        , count_(N) {}
    template <std::size_t N>
    constexpr table_category(const char* name, const char* const (&messages)[N],
                             const ddb::errc (&conditions)[N]) noexcept
        : name_(name)
        , messages_(messages)
        , conditions_(conditions)
        , count_(N) {}

    const char* name() const noexcept override { return name_; }
    std::string message(int ev) const override {
        if (ev >= 1 && static_cast<std::size_t>(ev) <= count_)
            return messages_[ev - 1];
        return "unknown " + std::string(name_) + " error " + std::to_string(ev);
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        if (conditions_ && ev >= 1 && static_cast<std::size_t>(ev) <= count_ &&
            static_cast<int>(conditions_[ev - 1]) != 0)
            return ddb::make_error_condition(conditions_[ev - 1]);
        return {ev, *this};
    }

private:
    const char* name_;
    const char* const* messages_;
    const ddb::errc* conditions_ = nullptr;
    std::size_t count_;
};

} // namespace ddb::detail
