// ddb — internal: time arithmetic that saturates instead of overflowing.
//
// User-given durations may be anything up to `duration::max()`, which ddb
// reads as "no limit". `std::chrono` arithmetic overflows silently there
// (milliseconds::max() in nanoseconds wraps to a negative value, and
// `now() + d` past the clock's range wraps to the past), so every deadline
// and every conversion of a user-given duration goes through these two.
#pragma once

#include <chrono>
#include <ratio>
#include <type_traits>

namespace ddb::detail {

/// `d` converted to `To`, truncated toward zero like `duration_cast`, but
/// clamped to [To::min(), To::max()] where the exact value does not fit.
template <class To, class Rep, class Period>
constexpr To saturating_cast(std::chrono::duration<Rep, Period> d) noexcept {
    using r = std::ratio_divide<Period, typename To::period>; // To ticks per tick of d
    using to_rep = typename To::rep;
    if constexpr (std::is_floating_point_v<Rep> || std::is_floating_point_v<to_rep> ||
                  (r::num != 1 && r::den != 1)) {
        // Rare mixes: compare in long double, leaving a margin at the ends so
        // the exact conversion that follows cannot overflow.
        const long double v = static_cast<long double>(d.count()) * r::num / r::den;
        if (v != v) // NaN
            return To::zero();
        const long double hi = static_cast<long double>(To::max().count());
        const long double lo = static_cast<long double>(To::min().count());
        if (v >= hi * 0.999L)
            return To::max();
        if (v <= lo * 0.999L)
            return To::min();
        return To(static_cast<to_rep>(v));
    } else if constexpr (r::den == 1) {
        // Finer unit: multiply, unless the result would not fit.
        using ct = std::common_type_t<Rep, to_rep, long long>;
        constexpr ct hi = static_cast<ct>(To::max().count()) / static_cast<ct>(r::num);
        constexpr ct lo = static_cast<ct>(To::min().count()) / static_cast<ct>(r::num);
        const ct n = static_cast<ct>(d.count());
        if (n > hi)
            return To::max();
        if (n < lo)
            return To::min();
        return To(static_cast<to_rep>(n * static_cast<ct>(r::num)));
    } else {
        // Coarser unit: divide (cannot grow), then fit the representation.
        using ct = std::common_type_t<Rep, to_rep, long long>;
        const ct q = static_cast<ct>(d.count()) / static_cast<ct>(r::den);
        if (q > static_cast<ct>(To::max().count()))
            return To::max();
        if (q < static_cast<ct>(To::min().count()))
            return To::min();
        return To(static_cast<to_rep>(q));
    }
}

/// `t + d`, clamped to the clock's range: a sum past the end is
/// `time_point::max()` ("never"), one before the start `time_point::min()`.
/// A `d` that does not fit the clock's duration counts as past the end.
template <class Clock, class Duration, class Rep, class Period>
constexpr std::chrono::time_point<Clock, Duration>
saturating_add(std::chrono::time_point<Clock, Duration> t,
               std::chrono::duration<Rep, Period> d) noexcept {
    using tp = std::chrono::time_point<Clock, Duration>;
    const Duration step = saturating_cast<Duration>(d);
    // A step at the end of the range stands for "at least that": never.
    if (step == Duration::max())
        return tp::max();
    if (step == Duration::min())
        return tp::min();
    const auto now = t.time_since_epoch().count();
    if (step.count() > 0 && now > Duration::max().count() - step.count())
        return tp::max();
    if (step.count() < 0 && now < Duration::min().count() - step.count())
        return tp::min();
    return t + step;
}

} // namespace ddb::detail
