#include <ddb/es/event_metadata.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace ddb::es {

namespace {

std::optional<std::int64_t> as_integer(const boost::json::object& m, const char* key) {
    auto found = m.find(key);
    if (found == m.end())
        return std::nullopt;
    const auto& v = found->value();
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_string()) { // the PHP framework kept some as strings
        std::string_view s = v.get_string();
        std::int64_t out = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc() && end == s.data() + s.size())
            return out;
    }
    return std::nullopt;
}

} // namespace

std::optional<std::chrono::system_clock::time_point> event_metadata::created_at() const {
    auto found = meta_->find(meta::created_at);
    if (found == meta_->end() || !found->value().is_string())
        return std::nullopt;
    std::string s(found->value().get_string());
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, consumed = 0;
    char sep = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &sec,
                    &consumed) != 7 ||
        (sep != 'T' && sep != ' '))
        return std::nullopt;
    std::string_view rest = std::string_view(s).substr(static_cast<std::size_t>(consumed));
    std::int64_t micros = 0;
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        int digits = 0;
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
            if (digits < 6) {
                micros = micros * 10 + (rest.front() - '0');
                ++digits;
            }
            rest.remove_prefix(1);
        }
        for (; digits < 6; ++digits)
            micros *= 10;
    }
    if (rest == "Z" || rest == "+00:00")
        rest = {};
    if (!rest.empty())
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    const std::time_t t = timegm(&tm);
    // system_clock counts nanoseconds (years 1678 to 2262): a time outside
    // would overflow converting.
    using std::chrono::seconds;
    using sys = std::chrono::system_clock;
    constexpr auto earliest = std::chrono::duration_cast<seconds>(sys::duration::min()).count() + 1;
    constexpr auto latest = std::chrono::duration_cast<seconds>(sys::duration::max()).count() - 1;
    if (t < earliest || t > latest)
        return std::nullopt;
    return std::chrono::system_clock::time_point(std::chrono::seconds(t) +
                                                 std::chrono::microseconds(micros));
}

std::string format_timestamp(std::chrono::system_clock::time_point t) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(us / 1000000);
    long frac = static_cast<long>(us % 1000000);
    if (frac < 0) {
        frac += 1000000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return buf;
}

std::optional<std::int64_t> event_metadata::stored_event_id() const {
    return as_integer(*meta_, meta::stored_event_id);
}

std::optional<std::string> event_metadata::aggregate_root_uuid() const {
    auto found = meta_->find(meta::aggregate_root_uuid);
    if (found == meta_->end() || !found->value().is_string())
        return std::nullopt;
    return std::string(found->value().get_string());
}

std::optional<std::int64_t> event_metadata::aggregate_root_version() const {
    return as_integer(*meta_, meta::aggregate_root_version);
}

bool event_metadata::is_store_key(std::string_view key) noexcept {
    return key == meta::created_at || key == meta::stored_event_id ||
           key == meta::aggregate_root_uuid || key == meta::aggregate_root_version;
}

boost::json::object event_metadata::user_keys() const {
    boost::json::object out;
    for (const auto& kv : *meta_)
        if (!is_store_key(kv.key()))
            out.emplace(kv.key(), kv.value());
    return out;
}

} // namespace ddb::es
