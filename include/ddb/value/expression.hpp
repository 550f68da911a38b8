// ddb — building DynamoDB expressions without writing their text.
//
// Conditions, key conditions, update expressions and projections are built
// from paths and values; rendering them through one `expr::parameters`
// gives the expression strings with generated placeholders (#n0, :v0) and
// the ExpressionAttributeNames / ExpressionAttributeValues maps. Every name
// goes through a placeholder, so reserved words (and names with dots or
// spaces) are always safe, and several expressions rendered through the same
// `parameters` share one pair of maps without clashes.
//
//   using namespace ddb::expr;
//   parameters p;
//   request["ConditionExpression"] = p.render(attribute_not_exists(path("pk")) ||
//                                             path("balance") >= value(100));
//   request["UpdateExpression"] = p.render(update().set(path("balance"), path("balance") +
//   value(5))
//                                                 .remove(path("tags")[0]));
//   p.apply_to(request);
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/value/attribute_value.hpp>

#include <boost/json/object.hpp>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace ddb::expr {

/// A document path: an attribute, then members and list indexes:
/// `path("a")["b"][2]["c"]` is `a.b[2].c`.
class path {
public:
    explicit path(std::string attribute);
    /// Parses "a.b[2].c" (names without '.', '[' or ']').
    static path parse(std::string_view dotted);
    path operator[](std::string member) const;
    path operator[](const char* member) const { return (*this)[std::string(member)]; }
    path operator[](std::size_t index) const;
    path operator[](int index) const { return (*this)[static_cast<std::size_t>(index)]; }

    /// "a.b[2].c", for messages.
    std::string str() const;

    struct element {
        std::string name; ///< empty for an index
        std::size_t index = 0;
    };
    const std::vector<element>& elements() const noexcept { return elements_; }

private:
    path() = default;
    std::vector<element> elements_;
};

/// An operand: a path, a value, `size(path)`, or (in SET) arithmetic,
/// `if_not_exists` and `list_append`.
class operand {
public:
    operand(path p);
    operand(attribute_value v);
    struct node;
    std::shared_ptr<const node> n;
};

/// A value operand: `value(42)`, `value("text")`, `value(true)`,
/// `value(attribute_value::ss({...}))`.
inline operand value(attribute_value v) {
    return operand(std::move(v));
}
inline operand value(number n) {
    return operand(attribute_value(std::move(n)));
}
/// (Only a real bool: integers and pointers must not turn into BOOL.)
template <class B, std::enable_if_t<std::is_same_v<B, bool>, int> = 0>
operand value(B b) {
    return operand(attribute_value(b));
}
inline operand value(const char* s) {
    return operand(attribute_value(s));
}
inline operand value(int n) {
    return operand(attribute_value(number(n)));
}
/// size(path)
operand size(path p);
/// if_not_exists(path, operand), for SET.
operand if_not_exists(path p, operand fallback);
/// list_append(a, b), for SET.
operand list_append(operand a, operand b);
/// a + b, a - b, for SET.
operand operator+(operand a, operand b);
operand operator-(operand a, operand b);

/// A condition (also a key condition or filter).
class condition {
public:
    struct node;
    std::shared_ptr<const node> n;
};

condition operator==(operand a, operand b);
condition operator!=(operand a, operand b);
condition operator<(operand a, operand b);
condition operator<=(operand a, operand b);
condition operator>(operand a, operand b);
condition operator>=(operand a, operand b);
condition between(operand x, operand low, operand high);
condition in(operand x, std::vector<operand> candidates);
condition attribute_exists(path p);
condition attribute_not_exists(path p);
/// attribute_type(path, "S"|"N"|"B"|"SS"|"NS"|"BS"|"M"|"L"|"NULL"|"BOOL")
condition attribute_type(path p, std::string_view type);
condition begins_with(path p, operand prefix);
condition contains(path p, operand member);
condition operator&&(condition a, condition b);
condition operator||(condition a, condition b);
condition operator!(condition a);

/// An update expression: SET, REMOVE, ADD and DELETE clauses.
class update {
public:
    update& set(path p, operand v);
    update& remove(path p);
    /// ADD: adds a number, or members to a set.
    update& add(path p, attribute_value v);
    /// DELETE: removes members from a set.
    update& del(path p, attribute_value members);
    bool empty() const noexcept;

    struct action {
        path target;
        std::variant<std::monostate, operand, attribute_value> arg;
    };
    std::vector<action> sets, removes, adds, deletes;
};

/// A projection: the paths to return.
struct projection {
    std::vector<path> paths;
    projection(std::initializer_list<path> p)
        : paths(p) {}
    explicit projection(std::vector<path> p)
        : paths(std::move(p)) {}
};

/// Renders expressions and collects their placeholders. Names are reused
/// (one #n per distinct name); every value gets its own :v.
class parameters {
public:
    std::string render(const condition& c);
    std::string render(const update& u);
    std::string render(const projection& p);

    /// ExpressionAttributeNames / ExpressionAttributeValues as JSON.
    boost::json::object names() const;
    boost::json::object values() const;
    /// Adds both maps to `request` (only those that are not empty).
    void apply_to(boost::json::object& request) const;

    /// The same maps as a typed request holds them.
    std::map<std::string, std::string, std::less<>> name_map() const;
    attribute_value::map_type value_map() const;
    /// Adds both maps to a typed request (`put_item_request`, `query_request`,
    /// ...), keeping the placeholders it already has.
    template <class Request>
    void apply_to(Request& request) const {
        if constexpr (requires { request.expression_attribute_names; })
            request.expression_attribute_names.merge(name_map());
        if constexpr (requires { request.expression_attribute_values; })
            request.expression_attribute_values.merge(value_map());
    }

    std::string name_of(const std::string& attribute);
    std::string value_of(const attribute_value& v);
    std::string path_of(const path& p);
    std::string operand_of(const operand& o);

private:
    std::vector<std::string> names_;
    std::vector<attribute_value> values_;
};

/// The expression with names and values written in, for logs and tests:
/// `attribute_not_exists(pk) OR balance >= {"N":"100"}`.
std::string to_string(const condition& c);
std::string to_string(const update& u);

} // namespace ddb::expr
