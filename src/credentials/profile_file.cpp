#include <boost/algorithm/string/predicate.hpp>
#include <ddb/credentials/error.hpp>
#include <ddb/credentials/profile_file.hpp>

#include "../core/env.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ddb {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_space(s.front()) || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (is_space(s.back()) || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool iequal(std::string_view a, std::string_view b) {
    return boost::algorithm::iequals(a, b);
}

// A value ends at '#' or ';' preceded by whitespace.
std::string_view strip_inline_comment(std::string_view v) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if ((v[i] == '#' || v[i] == ';') && is_space(v[i - 1]))
            return trim(v.substr(0, i));
    return v;
}

[[noreturn]] void malformed(std::string_view origin, std::size_t line, std::string_view why) {
    throw credentials_error(credentials_errc::malformed, std::string(origin) + ":" +
                                                             std::to_string(line) + ": " +
                                                             std::string(why));
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT || errno == ENOTDIR)
            return std::nullopt;
        throw credentials_error(credentials_errc::malformed,
                                "cannot read " + path + ": " + std::strerror(errno));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return std::move(ss).str();
}

} // namespace

std::optional<std::string_view> profile::get(std::string_view key) const {
    for (const auto& [k, v] : properties)
        if (iequal(k, key))
            return std::string_view(v);
    return std::nullopt;
}

profile_file_paths profile_file_paths::from_environment() {
    profile_file_paths paths;
    paths.config =
        detail::expand_home(detail::getenv_nonempty("AWS_CONFIG_FILE").value_or("~/.aws/config"));
    paths.credentials = detail::expand_home(
        detail::getenv_nonempty("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
    return paths;
}

profile_selection profile_selection::from_environment() {
    if (auto p = detail::getenv_nonempty("AWS_PROFILE"))
        return {*p, true};
    if (auto p = detail::getenv_nonempty("AWS_DEFAULT_PROFILE"))
        return {*p, true};
    return {"default", false};
}

profile_set profile_set::load(const profile_file_paths& paths) {
    profile_set set;
    if (auto text = read_file(paths.config)) {
        set.sources_.push_back(paths.config);
        set.parse_into(*text, paths.config, true);
    }
    if (auto text = read_file(paths.credentials)) {
        set.sources_.push_back(paths.credentials);
        set.parse_into(*text, paths.credentials, false);
    }
    return set;
}

profile_set profile_set::parse(std::string_view config_text, std::string_view credentials_text,
                               std::string_view config_origin,
                               std::string_view credentials_origin) {
    profile_set set;
    set.parse_into(config_text, config_origin, true);
    set.parse_into(credentials_text, credentials_origin, false);
    return set;
}

const profile* profile_set::find(std::string_view name) const {
    auto it = profiles_.find(name);
    return it == profiles_.end() ? nullptr : &it->second;
}

const profile* profile_set::sso_session(std::string_view name) const {
    auto it = sso_sessions_.find(name);
    return it == sso_sessions_.end() ? nullptr : &it->second;
}

const profile* profile_set::services(std::string_view name) const {
    auto it = services_.find(name);
    return it == services_.end() ? nullptr : &it->second;
}

// The state of reading one file: the section a line belongs to and the
// last property (for continuation lines and sub-properties).
struct profile_set::parser {
    parser(profile_set& s, std::string_view o, bool config)
        : set(s)
        , origin(o)
        , is_config(config) {}

    profile_set& set;
    std::string_view origin;
    bool is_config;
    profile* current = nullptr; // nullptr: outside any section, or in a skipped one
    bool in_skipped = false;    // inside a section we do not use
    bool have_section = false;
    std::string last_key;
    bool last_key_empty_value = false;
    std::size_t line_no = 0;

    // An indented line after a property: a sub-property ("parent.key =
    // value") when the property's value was empty, else a continuation.
    void nested(std::string_view line) {
        if (in_skipped || !current)
            return;
        if (!last_key_empty_value) {
            current->properties[last_key].append("\n").append(line);
            return;
        }
        auto eq = line.find('=');
        if (eq == std::string_view::npos)
            malformed(origin, line_no, "sub-property without '='");
        auto key = trim(line.substr(0, eq));
        auto value = strip_inline_comment(trim(line.substr(eq + 1)));
        current->properties[last_key + "." + std::string(key)] = std::string(value);
    }

    // "[name]": a profile, the config file's "[profile name]" or "[services
    // name]", or a section ddb does not use (skipped).
    void section(std::string_view line) {
        auto close = line.find(']');
        if (close == std::string_view::npos)
            malformed(origin, line_no, "section without ']'");
        auto after = trim(line.substr(close + 1));
        if (!after.empty() && after[0] != '#' && after[0] != ';')
            malformed(origin, line_no, "text after section header");
        std::string_view name = trim(line.substr(1, close - 1));
        have_section = true;
        last_key.clear();
        current = nullptr;
        in_skipped = true;
        if (name.empty())
            malformed(origin, line_no, "empty section name");
        if (is_config) {
            if (name.starts_with("services") && name.size() > 8 && is_space(name[8])) {
                name = trim(name.substr(9));
                if (name.empty())
                    malformed(origin, line_no, "empty section name");
                enter(set.services_, name);
                return;
            }
            if (name.starts_with("sso-session") && name.size() > 11 && is_space(name[11])) {
                name = trim(name.substr(12));
                if (name.empty())
                    malformed(origin, line_no, "empty section name");
                enter(set.sso_sessions_, name);
                return;
            }
            if (name.starts_with("profile") && name.size() > 7 && is_space(name[7]))
                name = trim(name.substr(8));
            else if (name != "default")
                return; // a bare name: not a profile
        }
        if (name.empty())
            malformed(origin, line_no, "empty profile name");
        enter(set.profiles_, name);
    }

    void enter(std::map<std::string, profile, std::less<>>& sections, std::string_view name) {
        auto [it, inserted] = sections.try_emplace(std::string(name));
        if (inserted)
            it->second.name = std::string(name);
        current = &it->second;
        in_skipped = false;
    }

    // "key = value".
    void property(std::string_view line) {
        auto eq = line.find('=');
        if (eq == std::string_view::npos)
            malformed(origin, line_no, "expected 'key = value'");
        if (!have_section)
            malformed(origin, line_no, "property outside of any profile section");
        auto key = trim(line.substr(0, eq));
        if (key.empty())
            malformed(origin, line_no, "empty property name");
        auto value = strip_inline_comment(trim(line.substr(eq + 1)));
        last_key = std::string(key);
        last_key_empty_value = value.empty();
        if (in_skipped || !current)
            return;
        current->properties[last_key] = std::string(value);
    }
};

void profile_set::parse_into(std::string_view text, std::string_view origin, bool is_config) {
    parser p(*this, origin, is_config);
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++p.line_no;
        if (!raw.empty() && raw.back() == '\r')
            raw.remove_suffix(1);
        std::string_view line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';')
            continue;
        if (is_space(raw[0]) && p.have_section && !p.last_key.empty())
            p.nested(line);
        else if (line[0] == '[')
            p.section(line);
        else
            p.property(line);
    }
}

lazy_profile_set::lazy_profile_set(profile_selection selection)
    : selection_(std::move(selection)) {}

lazy_profile_set::lazy_profile_set(profile_set loaded, profile_selection selection)
    : selection_(std::move(selection))
    , loaded_(std::move(loaded)) {}

const profile_set& lazy_profile_set::profiles() {
    if (!loaded_)
        loaded_ = profile_set::load();
    return *loaded_;
}

} // namespace ddb
