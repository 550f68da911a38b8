#include <ddb/value/expression.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <functional>
#include <optional>

namespace ddb::expr {

namespace json = boost::json;

struct operand::node {
    enum kind_t { path_k, value_k, size_k, if_not_exists_k, list_append_k, plus_k, minus_k } kind;
    std::optional<expr::path> p;
    attribute_value v;
    std::vector<operand> args;
};

struct condition::node {
    enum kind_t {
        compare,
        between_k,
        in_k,
        exists,
        not_exists,
        type_k,
        begins_k,
        contains_k,
        and_k,
        or_k,
        not_k
    } kind;
    std::string op; // for compare
    std::optional<expr::path> p;
    std::string type;
    std::vector<operand> args;
    std::vector<condition> children;
};

// ---- paths

path::path(std::string attribute) {
    if (attribute.empty())
        throw value_error(value_errc::invalid_json, "empty attribute name in a path");
    elements_.push_back({std::move(attribute), 0});
}

path path::parse(std::string_view s) {
    path p;
    std::size_t i = 0;
    auto fail = [&] {
        throw value_error(value_errc::invalid_json, "invalid path '" + std::string(s) + "'");
    };
    while (i < s.size()) {
        std::size_t end = s.find_first_of(".[]", i);
        if (end != std::string_view::npos && s[end] == ']')
            fail();
        std::string name(s.substr(i, end - i));
        if (name.empty())
            fail();
        p.elements_.push_back({name, 0});
        i = end == std::string_view::npos ? s.size() : end;
        while (i < s.size() && s[i] == '[') {
            std::size_t close = s.find(']', i);
            if (close == std::string_view::npos || close == i + 1)
                fail();
            std::size_t index = 0;
            for (std::size_t k = i + 1; k < close; ++k) {
                if (s[k] < '0' || s[k] > '9')
                    fail();
                index = index * 10 + static_cast<std::size_t>(s[k] - '0');
            }
            p.elements_.push_back({"", index});
            i = close + 1;
        }
        if (i < s.size()) {
            if (s[i] != '.')
                fail();
            ++i;
            if (i == s.size())
                fail();
        }
    }
    if (p.elements_.empty())
        fail();
    return p;
}

path path::operator[](std::string member) const {
    if (member.empty())
        throw value_error(value_errc::invalid_json, "empty member name in a path");
    path p = *this;
    p.elements_.push_back({std::move(member), 0});
    return p;
}

path path::operator[](std::size_t index) const {
    path p = *this;
    p.elements_.push_back({"", index});
    return p;
}

std::string path::str() const {
    std::string s;
    for (auto& e : elements_) {
        if (e.name.empty())
            s += "[" + std::to_string(e.index) + "]";
        else
            s += (s.empty() ? "" : ".") + e.name;
    }
    return s;
}

// ---- operands

namespace {
operand make(operand::node n) {
    operand o(attribute_value{});
    o.n = std::make_shared<const operand::node>(std::move(n));
    return o;
}
condition make(condition::node n) {
    condition c;
    c.n = std::make_shared<const condition::node>(std::move(n));
    return c;
}
} // namespace

operand::operand(expr::path p)
    : n(std::make_shared<const node>(node{node::path_k, std::move(p), {}, {}})) {}
operand::operand(attribute_value v)
    : n(std::make_shared<const node>(node{node::value_k, std::nullopt, std::move(v), {}})) {}
operand size(path p) {
    return make(operand::node{operand::node::size_k, std::move(p), {}, {}});
}
operand if_not_exists(path p, operand fallback) {
    return make(
        operand::node{operand::node::if_not_exists_k, std::move(p), {}, {std::move(fallback)}});
}
operand list_append(operand a, operand b) {
    return make(operand::node{
        operand::node::list_append_k, std::nullopt, {}, {std::move(a), std::move(b)}});
}
operand operator+(operand a, operand b) {
    return make(
        operand::node{operand::node::plus_k, std::nullopt, {}, {std::move(a), std::move(b)}});
}
operand operator-(operand a, operand b) {
    return make(
        operand::node{operand::node::minus_k, std::nullopt, {}, {std::move(a), std::move(b)}});
}

// ---- conditions

namespace {
condition compare(std::string op, operand a, operand b) {
    return make(condition::node{condition::node::compare,
                                std::move(op),
                                std::nullopt,
                                {},
                                {std::move(a), std::move(b)},
                                {}});
}
condition logical(condition::node::kind_t k, std::vector<condition> children) {
    for (auto& c : children)
        if (!c.n)
            throw value_error(value_errc::invalid_json, "empty condition");
    return make(condition::node{k, {}, std::nullopt, {}, {}, std::move(children)});
}
} // namespace

condition operator==(operand a, operand b) {
    return compare("=", std::move(a), std::move(b));
}
condition operator!=(operand a, operand b) {
    return compare("<>", std::move(a), std::move(b));
}
condition operator<(operand a, operand b) {
    return compare("<", std::move(a), std::move(b));
}
condition operator<=(operand a, operand b) {
    return compare("<=", std::move(a), std::move(b));
}
condition operator>(operand a, operand b) {
    return compare(">", std::move(a), std::move(b));
}
condition operator>=(operand a, operand b) {
    return compare(">=", std::move(a), std::move(b));
}
condition between(operand x, operand low, operand high) {
    return make(condition::node{condition::node::between_k,
                                {},
                                std::nullopt,
                                {},
                                {std::move(x), std::move(low), std::move(high)},
                                {}});
}
condition in(operand x, std::vector<operand> candidates) {
    if (candidates.empty() || candidates.size() > 100)
        throw value_error(value_errc::invalid_json, "IN takes 1 to 100 candidates");
    candidates.insert(candidates.begin(), std::move(x));
    return make(
        condition::node{condition::node::in_k, {}, std::nullopt, {}, std::move(candidates), {}});
}
condition attribute_exists(path p) {
    return make(condition::node{condition::node::exists, {}, std::move(p), {}, {}, {}});
}
condition attribute_not_exists(path p) {
    return make(condition::node{condition::node::not_exists, {}, std::move(p), {}, {}, {}});
}
condition attribute_type(path p, std::string_view type) {
    static constexpr std::string_view types[] = {"S",  "N", "B", "SS",   "NS",
                                                 "BS", "M", "L", "NULL", "BOOL"};
    if (std::find(std::begin(types), std::end(types), type) == std::end(types))
        throw value_error(value_errc::invalid_json,
                          "attribute_type: unknown type '" + std::string(type) + "'");
    return make(
        condition::node{condition::node::type_k, {}, std::move(p), std::string(type), {}, {}});
}
condition begins_with(path p, operand prefix) {
    return make(
        condition::node{condition::node::begins_k, {}, std::move(p), {}, {std::move(prefix)}, {}});
}
condition contains(path p, operand member) {
    return make(condition::node{
        condition::node::contains_k, {}, std::move(p), {}, {std::move(member)}, {}});
}
condition operator&&(condition a, condition b) {
    return logical(condition::node::and_k, {std::move(a), std::move(b)});
}
condition operator||(condition a, condition b) {
    return logical(condition::node::or_k, {std::move(a), std::move(b)});
}
condition operator!(condition a) {
    return logical(condition::node::not_k, {std::move(a)});
}

// ---- updates

update& update::set(path p, operand v) {
    sets.push_back({std::move(p), std::move(v)});
    return *this;
}
update& update::remove(path p) {
    removes.push_back({std::move(p), std::monostate{}});
    return *this;
}
update& update::add(path p, attribute_value v) {
    if (v.type() != attribute_value::kind::N && v.type() != attribute_value::kind::SS &&
        v.type() != attribute_value::kind::NS && v.type() != attribute_value::kind::BS)
        throw value_error(value_errc::type_mismatch,
                          "ADD takes a number or a set, not " + std::string(v.type_name()));
    adds.push_back({std::move(p), std::move(v)});
    return *this;
}
update& update::del(path p, attribute_value members) {
    if (members.type() != attribute_value::kind::SS &&
        members.type() != attribute_value::kind::NS && members.type() != attribute_value::kind::BS)
        throw value_error(value_errc::type_mismatch,
                          "DELETE takes a set, not " + std::string(members.type_name()));
    deletes.push_back({std::move(p), std::move(members)});
    return *this;
}
bool update::empty() const noexcept {
    return sets.empty() && removes.empty() && adds.empty() && deletes.empty();
}

// ---- rendering, shared by placeholders and the debug view

namespace {

struct writer {
    std::function<std::string(const path&)> path_text;
    std::function<std::string(const attribute_value&)> value_text;

    // Placeholders are numbered in reading order, so every text is built
    // left to right (the operands of + are evaluated in no fixed order).
    std::string seq(std::string left, std::string_view middle, const operand& right) const {
        left += middle;
        left += op(right);
        return left;
    }

    std::string op(const operand& o) const {
        const auto& n = *o.n;
        switch (n.kind) {
        case operand::node::path_k:
            return path_text(*n.p);
        case operand::node::value_k:
            return value_text(n.v);
        case operand::node::size_k:
            return "size(" + path_text(*n.p) + ")";
        case operand::node::if_not_exists_k:
            return "if_not_exists(" + seq(path_text(*n.p), ", ", n.args[0]) + ")";
        case operand::node::list_append_k:
            return "list_append(" + seq(op(n.args[0]), ", ", n.args[1]) + ")";
        case operand::node::plus_k:
            return seq(op(n.args[0]), " + ", n.args[1]);
        case operand::node::minus_k:
            return seq(op(n.args[0]), " - ", n.args[1]);
        }
        return {};
    }

    std::string cond(const condition& c) const {
        if (!c.n)
            throw value_error(value_errc::invalid_json, "empty condition");
        const auto& n = *c.n;
        switch (n.kind) {
        case condition::node::compare:
            return seq(op(n.args[0]), " " + n.op + " ", n.args[1]);
        case condition::node::between_k:
            return seq(seq(op(n.args[0]), " BETWEEN ", n.args[1]), " AND ", n.args[2]);
        case condition::node::in_k: {
            std::string s = op(n.args[0]) + " IN (";
            for (std::size_t i = 1; i < n.args.size(); ++i)
                s = seq(std::move(s), i > 1 ? ", " : "", n.args[i]);
            return s + ")";
        }
        case condition::node::exists:
            return "attribute_exists(" + path_text(*n.p) + ")";
        case condition::node::not_exists:
            return "attribute_not_exists(" + path_text(*n.p) + ")";
        case condition::node::type_k: {
            std::string s = "attribute_type(" + path_text(*n.p) + ", ";
            return s + value_text(attribute_value(n.type)) + ")";
        }
        case condition::node::begins_k:
            return "begins_with(" + seq(path_text(*n.p), ", ", n.args[0]) + ")";
        case condition::node::contains_k:
            return "contains(" + seq(path_text(*n.p), ", ", n.args[0]) + ")";
        case condition::node::and_k:
        case condition::node::or_k: {
            const char* word = n.kind == condition::node::and_k ? " AND " : " OR ";
            auto child = [&](const condition& x) {
                bool group =
                    x.n->kind == condition::node::and_k || x.n->kind == condition::node::or_k;
                return group && x.n->kind != n.kind ? "(" + cond(x) + ")" : cond(x);
            };
            std::string s = child(n.children[0]);
            s += word;
            return s + child(n.children[1]);
        }
        case condition::node::not_k:
            return "NOT (" + cond(n.children[0]) + ")";
        }
        return {};
    }

    std::string upd(const update& u) const {
        if (u.empty())
            throw value_error(value_errc::invalid_json, "empty update expression");
        std::string s;
        auto clause = [&](const char* word, const std::vector<update::action>& actions,
                          auto render) {
            if (actions.empty())
                return;
            s += (s.empty() ? "" : " ") + std::string(word) + " ";
            for (std::size_t i = 0; i < actions.size(); ++i) {
                s += i ? ", " : "";
                s += render(actions[i]);
            }
        };
        clause("SET", u.sets, [&](const update::action& a) {
            return seq(path_text(a.target), " = ", std::get<operand>(a.arg));
        });
        clause("REMOVE", u.removes, [&](const update::action& a) { return path_text(a.target); });
        auto path_then_value = [&](const update::action& a) {
            std::string s = path_text(a.target) + " ";
            return s + value_text(std::get<attribute_value>(a.arg));
        };
        clause("ADD", u.adds, path_then_value);
        clause("DELETE", u.deletes, path_then_value);
        return s;
    }
};

writer placeholder_writer(parameters& p) {
    return {[&p](const path& x) { return p.path_of(x); },
            [&p](const attribute_value& v) { return p.value_of(v); }};
}

writer plain_writer() {
    return {[](const path& x) { return x.str(); },
            [](const attribute_value& v) { return json::serialize(v.to_json()); }};
}

} // namespace

std::string parameters::name_of(const std::string& attribute) {
    for (std::size_t i = 0; i < names_.size(); ++i)
        if (names_[i] == attribute)
            return "#n" + std::to_string(i);
    names_.push_back(attribute);
    return "#n" + std::to_string(names_.size() - 1);
}

std::string parameters::value_of(const attribute_value& v) {
    values_.push_back(v);
    return ":v" + std::to_string(values_.size() - 1);
}

std::string parameters::path_of(const path& p) {
    std::string s;
    for (auto& e : p.elements()) {
        if (e.name.empty())
            s += "[" + std::to_string(e.index) + "]";
        else
            s += (s.empty() ? "" : ".") + name_of(e.name);
    }
    return s;
}

std::string parameters::operand_of(const operand& o) {
    return placeholder_writer(*this).op(o);
}
std::string parameters::render(const condition& c) {
    return placeholder_writer(*this).cond(c);
}
std::string parameters::render(const update& u) {
    return placeholder_writer(*this).upd(u);
}
std::string parameters::render(const projection& p) {
    if (p.paths.empty())
        throw value_error(value_errc::invalid_json, "empty projection");
    std::string s;
    for (std::size_t i = 0; i < p.paths.size(); ++i) {
        s += i ? ", " : "";
        s += path_of(p.paths[i]);
    }
    return s;
}

json::object parameters::names() const {
    json::object o;
    for (std::size_t i = 0; i < names_.size(); ++i)
        o["#n" + std::to_string(i)] = names_[i];
    return o;
}

json::object parameters::values() const {
    json::object o;
    for (std::size_t i = 0; i < values_.size(); ++i)
        o[":v" + std::to_string(i)] = values_[i].to_json();
    return o;
}

std::map<std::string, std::string, std::less<>> parameters::name_map() const {
    std::map<std::string, std::string, std::less<>> m;
    for (std::size_t i = 0; i < names_.size(); ++i)
        m.emplace("#n" + std::to_string(i), names_[i]);
    return m;
}

attribute_value::map_type parameters::value_map() const {
    attribute_value::map_type m;
    for (std::size_t i = 0; i < values_.size(); ++i)
        m.emplace(":v" + std::to_string(i), values_[i]);
    return m;
}

void parameters::apply_to(json::object& request) const {
    if (!names_.empty())
        request["ExpressionAttributeNames"] = names();
    if (!values_.empty())
        request["ExpressionAttributeValues"] = values();
}

std::string to_string(const condition& c) {
    return plain_writer().cond(c);
}
std::string to_string(const update& u) {
    return plain_writer().upd(u);
}

} // namespace ddb::expr
