#include <ddb/credentials/profile_provider.hpp>

#include <algorithm>

namespace ddb {

profile_provider::profile_provider()
    : selection_(profile_selection::from_environment()) {
    auto paths = profile_file_paths::from_environment();
    searched_ = {paths.credentials, paths.config};
    try {
        profiles_ = profile_set::load(paths);
    } catch (const credentials_error& e) {
        load_error_ = e;
    }
}

profile_provider::profile_provider(profile_set profiles, profile_selection selection)
    : profiles_(std::move(profiles))
    , selection_(std::move(selection)) {}

std::string profile_provider::name() const {
    return "profile '" + selection_.name + "'";
}

credentials profile_provider::read() const {
    if (load_error_)
        throw *load_error_;
    // The files searched, and which of them exist.
    std::string files;
    const auto& present = profiles_.sources();
    if (searched_.empty()) {
        for (const auto& s : present)
            files += (files.empty() ? "in " : ", ") + s;
    } else {
        for (const auto& s : searched_) {
            bool there = std::find(present.begin(), present.end(), s) != present.end();
            files += (files.empty() ? "in " : " or ") + s + (there ? "" : " (no such file)");
        }
    }
    if (files.empty())
        files = "no config or credentials file present";
    const profile* p = profiles_.find(selection_.name);
    if (!p) {
        auto code = selection_.explicit_choice ? credentials_errc::profile_not_found
                                               : credentials_errc::not_found;
        throw credentials_error(code, "no profile '" + selection_.name + "' " + files +
                                          (selection_.explicit_choice
                                               ? " (AWS_PROFILE / AWS_DEFAULT_PROFILE chose it)"
                                               : ""));
    }
    for (const char* key : {"role_arn", "credential_process", "sso_session", "sso_start_url",
                            "web_identity_token_file"}) {
        if (p->get(key))
            throw credentials_error(credentials_errc::unsupported,
                                    "profile '" + p->name + "' uses " + key +
                                        ", which needs the network: use "
                                        "profile_credentials_provider or the default chain "
                                        "(<ddb/aws/default_credentials.hpp>)");
    }
    auto id = p->get("aws_access_key_id");
    auto secret = p->get("aws_secret_access_key");
    if ((!id || id->empty()) && (!secret || secret->empty()))
        throw credentials_error(credentials_errc::not_found, "profile '" + p->name +
                                                                 "' has no aws_access_key_id (" +
                                                                 files + ")");
    return read_profile_keys(*p);
}

credentials read_profile_keys(const profile& p_) {
    const profile* p = &p_;
    auto id = p->get("aws_access_key_id");
    auto secret = p->get("aws_secret_access_key");
    if ((!id || id->empty()) && (!secret || secret->empty()))
        throw credentials_error(credentials_errc::not_found,
                                "profile '" + p->name + "' has no aws_access_key_id");
    if (!id || id->empty() || !secret || secret->empty())
        throw credentials_error(credentials_errc::malformed,
                                "profile '" + p->name +
                                    "' must set both aws_access_key_id and aws_secret_access_key");
    credentials c;
    c.access_key_id = std::string(*id);
    c.secret_access_key = std::string(*secret);
    if (auto token = p->get("aws_session_token"))
        c.session_token = std::string(*token);
    if (auto account = p->get("aws_account_id"))
        c.account_id = std::string(*account);
    c.source = "profile:" + p->name;
    return c;
}

boost::asio::awaitable<credentials> profile_provider::fetch() {
    co_return read();
}

} // namespace ddb
