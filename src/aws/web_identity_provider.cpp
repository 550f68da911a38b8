#include <ddb/aws/web_identity_provider.hpp>

#include <ddb/core/config_error.hpp>

#include "../core/env.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>

namespace ddb {

namespace {

// The token file's content without trailing white space; the message names
// the file (and where its name came from), never the content.
std::string read_token(const std::string& file, const std::string& role_arn) {
    auto fail = [&](const std::string& why) {
        throw credentials_error(credentials_errc::malformed, "web identity for role " + role_arn +
                                                                 ": the token file " + file + " " +
                                                                 why);
    };
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        fail("does not exist");
    if (std::filesystem::is_directory(file, ec))
        fail("is a directory");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        fail("cannot be opened");
    std::string token{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad())
        fail("cannot be read");
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
        token.pop_back();
    if (token.empty())
        fail("is empty");
    return token;
}

// The environment form's file and role, read now.
std::pair<std::string, assume_role_params> from_environment() {
    auto file = detail::getenv_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE");
    if (!file)
        throw credentials_error(credentials_errc::not_found,
                                detail::getenv_set_but_empty("AWS_WEB_IDENTITY_TOKEN_FILE")
                                    ? "AWS_WEB_IDENTITY_TOKEN_FILE is set but empty"
                                    : "AWS_WEB_IDENTITY_TOKEN_FILE is not set");
    assume_role_params role;
    role.role_arn = detail::getenv_nonempty("AWS_ROLE_ARN").value_or("");
    if (role.role_arn.empty())
        throw credentials_error(credentials_errc::malformed,
                                "AWS_WEB_IDENTITY_TOKEN_FILE is set (" + *file +
                                    ") but AWS_ROLE_ARN is not");
    role.role_session_name = detail::getenv_nonempty("AWS_ROLE_SESSION_NAME").value_or("");
    return {*file, std::move(role)};
}

} // namespace

web_identity_provider::web_identity_provider(sts_settings sts)
    : sts_(std::move(sts)) {
    validate(sts_);
}

web_identity_provider::web_identity_provider(std::string token_file, assume_role_params role,
                                             sts_settings sts)
    : token_file_(std::move(token_file))
    , role_(std::move(role))
    , sts_(std::move(sts)) {
    validate(sts_);
    validate(role_);
    if (token_file_->empty())
        throw config_error(config_errc::invalid_setting, "web_identity_provider of role " +
                                                             role_.role_arn +
                                                             ": the token file name is empty");
}

boost::asio::awaitable<credentials> web_identity_provider::fetch() {
    // Copies first: nothing of *this is used after the first suspension.
    auto sts = sts_;
    std::string file;
    assume_role_params role;
    if (token_file_) {
        file = *token_file_;
        role = role_;
    } else {
        std::tie(file, role) = from_environment();
    }
    // Read at every fetch: EKS rotates the file.
    std::string token = read_token(file, role.role_arn);
    co_return co_await sts_assume_role_with_web_identity(sts, token, role);
}

std::string web_identity_provider::name() const {
    return token_file_ ? "web-identity " + role_.role_arn : "web-identity";
}

} // namespace ddb
