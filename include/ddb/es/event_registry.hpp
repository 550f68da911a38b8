// ddb::es — typed events: which C++ type a stored event's name means, the
// current version of each event's schema, and the upcasters that bring
// older stored versions up to it.
//
//   struct deposited { std::string account; std::int64_t amount = 0; };
//   BOOST_DESCRIBE_STRUCT(deposited, (), (account, amount))
//
//   ddb::es::event_registry reg;
//   reg.add<deposited>("account.deposited", 2);
//   reg.upcast("account.deposited", 1, [](boost::json::object p) {
//       p["amount"] = p["cents"].as_int64();   // v1 had "cents"
//       p.erase("cents");
//       return p;
//   });
//   ddb::es::new_event e = reg.encode(deposited{"a-1", 5});   // name, version 2, JSON
//   auto typed = reg.decode<std::variant<opened, deposited>>(stored);
//
// The name is the stored `event_class` (the PHP framework's event class map
// alias): stable, independent of the C++ type's name, so types can be
// renamed or moved without touching stored events. Events are described
// structs or types with a Boost.JSON conversion (see <ddb/es/event_codec.hpp>).
//
// Thread safety: distinct objects: safe. Shared objects: unsafe while
// types and upcasters are added; register everything at start-up, and
// afterwards the const members (encode, decode, name_of) are safe from any
// thread.
#pragma once

#include <ddb/es/event_codec.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/es/stored_event.hpp>

#include <boost/json/object.hpp>
#include <boost/mp11/algorithm.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>
#include <variant>

namespace ddb::es {

class event_registry {
public:
    /// Turns the properties of version n into those of version n + 1.
    /// Exceptions it throws propagate out of `decode` unchanged.
    using upcaster = std::function<boost::json::object(boost::json::object)>;

    /// Registers `E` under `name` at its current schema `version` (from 1).
    /// Each name and each type once (`invalid_registration` otherwise).
    template <class E>
    event_registry& add(std::string name, int version = 1) {
        static_assert(std::is_same_v<E, std::remove_cvref_t<E>>, "register the plain type");
        add_type(typeid(E), std::move(name), version);
        return *this;
    }

    /// Registers the step from `from_version` to `from_version + 1` of the
    /// event `name` (in any order relative to `add`). Decoding a stored
    /// version n < current applies steps n, n+1, ..., current-1.
    event_registry& upcast(std::string name, int from_version, upcaster step);

    template <class E>
    bool contains() const noexcept {
        return types_.count(typeid(E)) != 0;
    }
    bool contains(std::string_view name) const noexcept;

    /// The name `E` is registered under; `unregistered_type` otherwise.
    template <class E>
    const std::string& name_of() const {
        return name_of(typeid(E));
    }
    /// The registered (current) version of `name`, if registered.
    std::optional<int> version_of(std::string_view name) const noexcept;

    /// The event to store: its name, current version and JSON properties,
    /// with `meta_data` as the user's metadata.
    template <class E>
    new_event encode(const E& event, boost::json::object meta_data = {}) const {
        const auto& name = name_of(typeid(E));
        new_event e;
        e.event_class = name;
        e.event_version = *version_of(name);
        e.properties = to_json(event);
        e.meta_data = std::move(meta_data);
        return e;
    }

    /// The stored event's properties at the registered version (upcast).
    /// Throws `unknown_event`, `event_version_unsupported`.
    boost::json::value current_properties(const stored_event& e) const;

    /// The typed event. `T` is a registered event type, or a
    /// `std::variant` of registered event types (the one the stored name
    /// means is chosen). Throws, each error carrying the stored event's id
    /// and name: `unknown_event` (name not registered), `unexpected_event`
    /// (registered, but not `T` / not in the variant),
    /// `event_version_unsupported` (stored version newer than the
    /// registered one, or an upcaster step missing),
    /// `event_properties_mismatch` (missing member, wrong type).
    template <class T>
    T decode(const stored_event& e) const {
        const entry& found = resolve(e);
        if constexpr (is_variant<T>::value) {
            return decode_variant(e, found, static_cast<T*>(nullptr));
        } else {
            if (found.type != std::type_index(typeid(T)))
                throw unexpected_event(e);
            return decode_as<T>(e, found);
        }
    }

private:
    struct entry {
        std::type_index type;
        std::string name;
        int version;
    };

    template <class T>
    struct is_variant : std::false_type {};
    template <class... Ts>
    struct is_variant<std::variant<Ts...>> : std::true_type {};

    void add_type(std::type_index type, std::string name, int version);
    const std::string& name_of(std::type_index type) const;
    const entry& resolve(const stored_event& e) const;
    boost::json::value current_properties(const stored_event& e, const entry& found) const;
    [[noreturn]] static void rethrow_mismatch(const stored_event& e, const event_error& error);

    template <class T>
    T decode_as(const stored_event& e, const entry& found) const {
        auto properties = current_properties(e, found);
        try {
            return from_json<T>(properties);
        } catch (const event_error& error) {
            rethrow_mismatch(e, error);
        }
    }

    template <class... Ts>
    std::variant<Ts...> decode_variant(const stored_event& e, const entry& found,
                                       std::variant<Ts...>*) const {
        static_assert(boost::mp11::mp_is_set<boost::mp11::mp_list<Ts...>>::value,
                      "each event type once in the variant");
        std::optional<std::variant<Ts...>> out;
        ((found.type == std::type_index(typeid(Ts))
              ? (out.emplace(std::in_place_type<Ts>, decode_as<Ts>(e, found)), true)
              : false) ||
         ...);
        if (!out)
            throw unexpected_event(e);
        return std::move(*out);
    }

    std::map<std::string, entry, std::less<>> by_name_;
    std::unordered_map<std::type_index, std::string> types_;
    std::map<std::pair<std::string, int>, upcaster> upcasters_;
};

} // namespace ddb::es
