// ddb — the shared AWS config and credentials files (~/.aws/config, ~/.aws/credentials).
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb {

/// One named profile with its properties (`aws_access_key_id`, `region`, ...).
/// Property names are kept as written; lookups are case-insensitive.
struct profile {
    std::string name;
    std::map<std::string, std::string> properties;

    /// The property's value, if present.
    std::optional<std::string_view> get(std::string_view key) const;
};

/// Where the two files are. `from_environment()` applies AWS_CONFIG_FILE,
/// AWS_SHARED_CREDENTIALS_FILE and HOME, as every AWS SDK does.
struct profile_file_paths {
    std::string config;      ///< default ~/.aws/config
    std::string credentials; ///< default ~/.aws/credentials
    static profile_file_paths from_environment();
};

/// The profile name to use: `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then
/// "default". `explicit_choice` tells whether a variable chose it.
struct profile_selection {
    std::string name;
    bool explicit_choice = false;
    static profile_selection from_environment();
};

/// The profiles of both files, merged: for a profile present in both, the
/// credentials file's properties win.
///
/// Format: `[name]` sections in the credentials file; `[default]` or
/// `[profile name]` in the config file, and `[services name]` and
/// `[sso-session name]` sections kept apart (`services()`,
/// `sso_session()`); other sections are skipped; `key = value` lines; full-line comments
/// start with '#' or ';', and a '#' or ';' after whitespace ends a value;
/// indented lines continue the previous property (sub-properties are kept as
/// "parent.key").
class profile_set {
public:
    /// Reads both files. A missing file is not an error (it just adds no
    /// profile); an unreadable or malformed one throws
    /// `credentials_error(malformed)` naming the file and line, never its content.
    static profile_set
    load(const profile_file_paths& paths = profile_file_paths::from_environment());

    /// Parses file contents directly. `*_origin` names them in errors.
    static profile_set parse(std::string_view config_text, std::string_view credentials_text,
                             std::string_view config_origin = "config",
                             std::string_view credentials_origin = "credentials");

    /// The profile, or nullptr.
    const profile* find(std::string_view name) const;
    /// The config file's `[services name]` section, or nullptr. Its
    /// per-service settings are sub-properties: "dynamodb.endpoint_url".
    const profile* services(std::string_view name) const;
    /// The config file's `[sso-session name]` section, or nullptr.
    const profile* sso_session(std::string_view name) const;

    /// Which files were read (present), for error messages.
    const std::vector<std::string>& sources() const noexcept { return sources_; }

private:
    struct parser; // one file's lines, section by section
    void parse_into(std::string_view text, std::string_view origin, bool is_config);
    std::map<std::string, profile, std::less<>> profiles_;
    std::map<std::string, profile, std::less<>> services_;
    std::map<std::string, profile, std::less<>> sso_sessions_;
    std::vector<std::string> sources_;
};

/// The shared config files as the settings resolvers read them (region,
/// endpoint, retries, CA bundle): read on first use and at most once, so a
/// setting found first in the client config or the environment never reads
/// them, and a syntax error surfaces only where they are needed
/// (`credentials_error(malformed)` naming file and line).
class lazy_profile_set {
public:
    explicit lazy_profile_set(profile_selection selection = profile_selection::from_environment());
    /// Files already read: nothing more is.
    lazy_profile_set(profile_set loaded, profile_selection selection);

    const profile_selection& selection() const noexcept { return selection_; }
    /// Both files' profiles (`profile_set::load()` on the first call).
    const profile_set& profiles();
    /// The selected profile, or nullptr.
    const profile* selected() { return profiles().find(selection_.name); }

private:
    profile_selection selection_;
    std::optional<profile_set> loaded_;
};

} // namespace ddb
