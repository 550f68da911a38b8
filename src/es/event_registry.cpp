#include <ddb/es/event_registry.hpp>

namespace ddb::es {

void event_registry::add_type(std::type_index type, std::string name, int version) {
    if (name.empty())
        throw event_error(event_errc::invalid_registration, "an event needs a non-empty name");
    if (version < 1)
        throw event_error(event_errc::invalid_registration,
                          "event \"" + name + "\": versions start at 1");
    if (by_name_.count(name))
        throw event_error(event_errc::invalid_registration,
                          "event name \"" + name + "\" is registered twice");
    if (types_.count(type))
        throw event_error(event_errc::invalid_registration,
                          "event type " + std::string(type.name()) +
                              " is already registered as \"" + types_.at(type) + "\"");
    types_.emplace(type, name);
    by_name_.emplace(name, entry{type, name, version});
}

event_registry& event_registry::upcast(std::string name, int from_version, upcaster step) {
    if (from_version < 1)
        throw event_error(event_errc::invalid_registration,
                          "upcaster of \"" + name + "\": versions start at 1");
    if (!step)
        throw event_error(event_errc::invalid_registration,
                          "upcaster of \"" + name + "\" is empty");
    auto key = std::make_pair(name, from_version);
    if (upcasters_.count(key))
        throw event_error(event_errc::invalid_registration,
                          "upcaster of \"" + name + "\" from version " +
                              std::to_string(from_version) + " is registered twice");
    upcasters_.emplace(std::move(key), std::move(step));
    return *this;
}

bool event_registry::contains(std::string_view name) const noexcept {
    return by_name_.find(name) != by_name_.end();
}

std::optional<int> event_registry::version_of(std::string_view name) const noexcept {
    auto found = by_name_.find(name);
    if (found == by_name_.end())
        return std::nullopt;
    return found->second.version;
}

const std::string& event_registry::name_of(std::type_index type) const {
    auto found = types_.find(type);
    if (found == types_.end())
        throw event_error(event_errc::unregistered_type,
                          "event type " + std::string(type.name()) +
                              " is not registered (event_registry::add)");
    return found->second;
}

const event_registry::entry& event_registry::resolve(const stored_event& e) const {
    auto found = by_name_.find(e.event_class);
    if (found == by_name_.end())
        throw unknown_event(e);
    return found->second;
}

boost::json::value event_registry::current_properties(const stored_event& e) const {
    return current_properties(e, resolve(e));
}

boost::json::value event_registry::current_properties(const stored_event& e,
                                                      const entry& found) const {
    if (e.event_version > found.version)
        throw event_version_unsupported(event_errc::version_too_new, e, found.version, 0);
    if (e.event_version == found.version)
        return e.event_properties;
    // Check the whole chain first: a missing step is reported before any
    // upcaster runs.
    for (int v = std::max(e.event_version, 1); v < found.version; ++v)
        if (!upcasters_.count(std::make_pair(found.name, v)))
            throw event_version_unsupported(event_errc::missing_upcaster, e, found.version, v);
    if (!e.event_properties.is_object())
        throw event_properties_mismatch(
            e, "(the properties): expected an object to upcast, "
               "found " +
                   std::string(codec_detail::kind_name(e.event_properties)));
    boost::json::object properties = e.event_properties.get_object();
    for (int v = std::max(e.event_version, 1); v < found.version; ++v)
        properties = upcasters_.at(std::make_pair(found.name, v))(std::move(properties));
    return properties;
}

void event_registry::rethrow_mismatch(const stored_event& e, const event_error& error) {
    if (error.kind() == event_errc::properties_mismatch)
        throw event_properties_mismatch(e, error.what());
    throw error;
}

} // namespace ddb::es
