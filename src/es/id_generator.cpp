#include <ddb/es/id_generator.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <random>
#include <string>
#include <utility>

namespace ddb::es {

namespace {

constexpr std::int64_t max_id = std::numeric_limits<std::int64_t>::max();
constexpr int id_digits = 19;

// 10^0 .. 10^18, every power of ten an int64 holds.
constexpr std::array<std::int64_t, 19> powers_of_ten = [] {
    std::array<std::int64_t, 19> p{};
    p[0] = 1;
    for (std::size_t i = 1; i < p.size(); ++i)
        p[i] = p[i - 1] * 10;
    return p;
}();

int decimal_digits(std::int64_t v) { // v > 0
    int n = 1;
    while (n < static_cast<int>(powers_of_ten.size()) && v >= powers_of_ten[n])
        ++n;
    return n; // 19 for v >= 10^18
}

std::function<std::uint64_t()> default_random() {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(),
                       device(), device(), device(), device()};
    return [engine = std::mt19937_64(seed)]() mutable -> std::uint64_t { return engine(); };
}

// Uniform in [0, n - 1] from uniform 64-bit values: `x % n`, drawing again
// while x falls in the top partial block (2^64 mod n values) that would bias
// the low residues.
std::uint64_t uniform_below(const std::function<std::uint64_t()>& random, std::uint64_t n) {
    constexpr std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t partial = (top % n + 1) % n; // 2^64 mod n
    for (;;) {
        std::uint64_t x = random();
        if (x <= top - partial)
            return x % n;
    }
}

} // namespace

std::int64_t system_timestamp_provider::microseconds_since_epoch() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

timestamp_id_generator::timestamp_id_generator(std::shared_ptr<timestamp_provider> clock,
                                               std::function<std::uint64_t()> random)
    : clock_(clock ? std::move(clock) : std::make_shared<system_timestamp_provider>())
    , random_(random ? std::move(random) : default_random()) {}

std::int64_t timestamp_id_generator::next_id() {
    std::lock_guard lock(mutex_);

    const std::int64_t ts = clock_->microseconds_since_epoch();
    if (ts <= 0)
        throw id_error(id_errc::clock_before_epoch,
                       "the timestamp provider returned " + std::to_string(ts) +
                           " microseconds since the Unix epoch; ids need a positive time");
    const int n = decimal_digits(ts);
    if (n >= id_digits)
        throw id_error(id_errc::clock_out_of_range,
                       "the timestamp provider returned " + std::to_string(ts) +
                           " microseconds since the Unix epoch (" + std::to_string(n) +
                           " digits); ids leave room for at most 18");

    // candidate = ts * 10^d + r, checked before it is computed.
    const std::int64_t scale = powers_of_ten[static_cast<std::size_t>(id_digits - n)];
    const auto r =
        static_cast<std::int64_t>(uniform_below(random_, static_cast<std::uint64_t>(scale)));
    if (ts > (max_id - r) / scale)
        throw id_error(id_errc::id_overflow, "the id for timestamp " + std::to_string(ts) +
                                                 " with random part " + std::to_string(r) +
                                                 " would exceed " + std::to_string(max_id));
    std::int64_t candidate = ts * scale + r;
    // The id must be above `above`: the last id, and an observed id at or
    // after this timestamp, for which the candidate moves to the next
    // timestamp after it with the same random digits (just above it at the
    // very top of the range).
    std::int64_t above = last_;
    if (floor_ / scale >= ts) {
        const std::int64_t after = floor_ / scale + 1;
        if (after <= (max_id - r) / scale)
            candidate = after * scale + r;
        else
            above = std::max(above, floor_);
    }

    if (candidate > above)
        return last_ = candidate;
    // The clock stood still or stepped back: continue after the last id.
    if (above == max_id)
        throw id_error(id_errc::id_overflow,
                       "the last id (returned or observed) was " + std::to_string(max_id) +
                           "; no larger 64-bit id exists (timestamp " + std::to_string(ts) + ")");
    return last_ = above + 1;
}

void timestamp_id_generator::observe(std::int64_t id) {
    std::lock_guard lock(mutex_);
    floor_ = std::max(floor_, id);
}

std::optional<std::chrono::microseconds> timestamp_id_generator::age_of(std::int64_t id) {
    std::lock_guard lock(mutex_);
    const std::int64_t ts = clock_->microseconds_since_epoch();
    if (ts <= 0)
        return std::nullopt;
    const int n = decimal_digits(ts);
    if (n >= id_digits)
        return std::nullopt;
    const std::int64_t scale = powers_of_ten[static_cast<std::size_t>(id_digits - n)];
    return std::chrono::microseconds(ts - id / scale);
}

} // namespace ddb::es
