#include <boost/algorithm/string/predicate.hpp>
#include <ddb/aws/endpoint_settings.hpp>
#include <ddb/core/config_error.hpp>

#include "../core/env.hpp"

#include <cctype>

namespace ddb {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    return boost::algorithm::iequals(a, b);
}

// A value as an error may show it: at most 64 characters, control bytes as '?'.
std::string shown(std::string_view v) {
    std::string s(v.substr(0, 64));
    for (auto& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return v.size() > 64 ? s + "..." : s;
}

[[noreturn]] void bad_value(const std::string& where, std::string_view value,
                            std::string_view expected) {
    throw config_error(config_errc::invalid_setting, where + " must be " + std::string(expected) +
                                                         ", not '" + shown(value) + "'");
}

bool parse_bool(std::string_view value, const std::string& where) {
    if (equals_ignoring_case(value, "true"))
        return true;
    if (equals_ignoring_case(value, "false"))
        return false;
    bad_value(where, value, "true or false");
}

account_id_endpoint_mode parse_mode(std::string_view value, const std::string& where) {
    for (auto m : {account_id_endpoint_mode::preferred, account_id_endpoint_mode::required,
                   account_id_endpoint_mode::disabled})
        if (equals_ignoring_case(value, to_string(m)))
            return m;
    bad_value(where, value, "preferred, required or disabled");
}

// "use_fips_endpoint of profile 'dev' (in /home/u/.aws/config)".
std::string profile_key_name(std::string_view key, const profile& p, const profile_set& files) {
    std::string s = std::string(key) + " of profile '" + p.name + "'";
    if (!files.sources().empty()) {
        s += " (in ";
        for (std::size_t i = 0; i < files.sources().size(); ++i)
            s.append(i ? " or " : "").append(files.sources()[i]);
        s += ")";
    }
    return s;
}

// One setting: code, then the variable, then the profile's key. `parse`
// turns a text into the value; `source` is set to where it came from.
template <class T, class Parse>
std::optional<T> lookup(const std::optional<T>& code, std::string_view code_name,
                        std::string_view field, const char* variable, std::string_view key,
                        lazy_profile_set& files, std::string& source, Parse parse) {
    if (code) {
        source = std::string(code_name) + std::string(field);
        return code;
    }
    if (auto v = detail::getenv_nonempty(variable)) {
        source = variable;
        return parse(*v, source);
    }
    const profile* p = files.selected();
    if (!p)
        return std::nullopt;
    if (auto v = p->get(key); v && !v->empty()) {
        source = profile_key_name(key, *p, files.profiles());
        return parse(*v, source);
    }
    return std::nullopt;
}

} // namespace

std::string_view to_string(account_id_endpoint_mode mode) noexcept {
    switch (mode) {
    case account_id_endpoint_mode::required:
        return "required";
    case account_id_endpoint_mode::disabled:
        return "disabled";
    case account_id_endpoint_mode::preferred:
        break;
    }
    return "preferred";
}

endpoint_settings resolve_endpoint_settings(const endpoint_options& code, lazy_profile_set& files,
                                            std::string_view code_name) {
    endpoint_settings s;
    s.use_fips =
        lookup(code.use_fips_endpoint, code_name, "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT",
               "use_fips_endpoint", files, s.fips_source, parse_bool)
            .value_or(false);
    s.use_dualstack = lookup(code.use_dualstack_endpoint, code_name, "use_dualstack_endpoint",
                             "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", files,
                             s.dualstack_source, parse_bool)
                          .value_or(false);
    s.account_mode = lookup(code.account_id_endpoint_mode, code_name, "account_id_endpoint_mode",
                            "AWS_ACCOUNT_ID_ENDPOINT_MODE", "account_id_endpoint_mode", files,
                            s.account_mode_source, parse_mode)
                         .value_or(account_id_endpoint_mode::preferred);
    return s;
}

endpoint_settings resolve_endpoint_settings(const endpoint_options& code) {
    lazy_profile_set files;
    return resolve_endpoint_settings(code, files);
}

} // namespace ddb
