// ddb::es — projectors, reactors and the projectionist.
#include <ddb/es/projector.hpp>

#include <exception>

namespace ddb::es {

namespace {

handler_failure failure_of(const stored_event& e, const std::string& handler,
                           std::exception_ptr error) {
    handler_failure f;
    f.event_id = e.id;
    f.event_class = e.event_class;
    f.handler = handler;
    f.error = error;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& x) {
        f.message = x.what();
    } catch (...) {
        f.message = "unknown exception";
    }
    return f;
}

} // namespace

bool event_handlers::handles(const stored_event& e) const {
    return handlers_.find(e.event_class) != handlers_.end();
}

boost::asio::awaitable<void> event_handlers::handle(const stored_event& e,
                                                    std::vector<handler_failure>& failures) {
    auto found = handlers_.find(e.event_class);
    if (found == handlers_.end())
        co_return;
    for (auto& en : found->second) {
        std::exception_ptr error;
        try {
            if (en.sync)
                en.sync(e);
            else
                co_await en.async(e);
        } catch (...) {
            error = std::current_exception();
        }
        if (error)
            failures.push_back(failure_of(e, name_, error));
    }
}

boost::asio::awaitable<void> projector::reset() {
    for (auto& r : resets_)
        co_await r();
}

void projectionist::report(std::vector<handler_failure>& failures, std::size_t from) const {
    if (!on_failure_)
        return;
    for (std::size_t i = from; i < failures.size(); ++i)
        on_failure_(failures[i]);
}

boost::asio::awaitable<std::vector<handler_failure>>
projectionist::handle(const std::vector<stored_event>& events) {
    std::vector<handler_failure> failures;
    for (const auto& e : events) {
        const std::size_t before = failures.size();
        for (auto* p : projectors_)
            co_await p->handle(e, failures);
        for (auto* r : reactors_)
            co_await r->handle(e, failures);
        report(failures, before);
    }
    co_return failures;
}

boost::asio::awaitable<std::vector<handler_failure>>
projectionist::handle(const stored_event& event) {
    std::vector<handler_failure> failures;
    for (auto* p : projectors_)
        co_await p->handle(event, failures);
    for (auto* r : reactors_)
        co_await r->handle(event, failures);
    report(failures, 0);
    co_return failures;
}

boost::asio::awaitable<std::vector<handler_failure>>
projectionist::project(const stored_event& event) {
    std::vector<handler_failure> failures;
    for (auto* p : projectors_)
        co_await p->handle(event, failures);
    report(failures, 0);
    co_return failures;
}

} // namespace ddb::es
