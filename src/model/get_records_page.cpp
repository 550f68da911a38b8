// get_records_page, item_view and attribute_view: the views' accessors and
// their owning forms; page_of (a page over an owning response, for answers
// the page decoder leaves to the tree decoder).
#include <ddb/model/get_records_page.hpp>

#include "detail/view_maker.hpp"

#include <ddb/value/error.hpp>

namespace ddb {

namespace {

constexpr std::string_view type_names[] = {"S",  "N", "B", "SS",   "NS",
                                           "BS", "M", "L", "NULL", "BOOL"};

} // namespace

std::string_view attribute_view::type_name() const noexcept {
    return type_names[type_];
}

void attribute_view::check(kind k) const {
    if (type() != k)
        throw value_error(value_errc::type_mismatch, "attribute value is " +
                                                         std::string(type_name()) +
                                                         ", not the type asked for");
}

std::string_view attribute_view::text(kind k) const {
    check(k);
    return {static_cast<const char*>(data_), size_};
}

std::span<const attribute_view> attribute_view::children(kind k) const {
    check(k);
    return {static_cast<const attribute_view*>(data_), size_};
}

std::span<const std::uint8_t> attribute_view::as_b() const {
    check(kind::B);
    return {static_cast<const std::uint8_t*>(data_), size_};
}

bool attribute_view::as_bool() const {
    check(kind::BOOL);
    return flag_;
}

item_view attribute_view::as_m() const {
    return item_view(children(kind::M));
}

std::span<const attribute_view> attribute_view::members() const {
    if (type() != kind::SS && type() != kind::NS && type() != kind::BS)
        check(kind::SS);
    return {static_cast<const attribute_view*>(data_), size_};
}

attribute_value attribute_view::to_value() const {
    auto bytes_of = [](const attribute_view& v) {
        auto b = v.as_b();
        return bytes(b.begin(), b.end());
    };
    // A set's members, each made by `one` into a vector of exactly their number.
    auto members_by = [this](auto one) {
        std::vector<decltype(one(*this))> m;
        m.reserve(size_);
        for (const auto& e : std::span<const attribute_view>(members()))
            m.push_back(one(e));
        return m;
    };
    switch (type()) {
    case kind::S:
        return attribute_value(std::string(as_s()));
    case kind::N:
        return attribute_value(number(as_n()));
    case kind::B:
        return attribute_value::b(bytes_of(*this));
    case kind::SS:
        return attribute_value::ss(
            members_by([](const attribute_view& e) { return std::string(e.as_s()); }));
    case kind::NS:
        return attribute_value::ns(
            members_by([](const attribute_view& e) { return number(e.as_n()); }));
    case kind::BS:
        return attribute_value::bs(members_by(bytes_of));
    case kind::M:
        return attribute_value(as_m().to_item());
    case kind::L: {
        attribute_value::list_type l;
        l.reserve(size_);
        for (const auto& e : as_l())
            l.push_back(e.to_value());
        return attribute_value(std::move(l));
    }
    case kind::BOOL:
        return attribute_value(flag_);
    default:
        return attribute_value::null();
    }
}

const attribute_view* item_view::find(std::string_view name) const noexcept {
    for (const attribute_view& a : attrs_)
        if (a.name() == name)
            return &a;
    return nullptr;
}

item item_view::to_item() const {
    item out;
    for (const attribute_view& a : attrs_)
        out.emplace(std::string(a.name()), a.to_value());
    return out;
}

stream_record stream_record_view::to_record() const {
    stream_record r;
    r.event_id.assign(event_id);
    r.event_name = event_name;
    r.event_version.assign(event_version);
    r.event_source.assign(event_source);
    r.aws_region.assign(aws_region);
    r.approximate_creation_time = approximate_creation_time;
    r.keys = keys.to_item();
    if (old_image)
        r.old_image = old_image->to_item();
    if (new_image)
        r.new_image = new_image->to_item();
    r.sequence_number.assign(sequence_number);
    r.size_bytes = size_bytes;
    r.stream_view_type = stream_view_type;
    if (user_identity)
        r.user_identity = stream_identity{std::string(user_identity->principal_id),
                                          std::string(user_identity->type)};
    return r;
}

get_records_page::get_records_page() = default;
get_records_page::~get_records_page() = default;
get_records_page::get_records_page(get_records_page&&) noexcept = default;
get_records_page& get_records_page::operator=(get_records_page&&) noexcept = default;

std::span<const stream_record_view> get_records_page::records() const noexcept {
    if (!s_)
        return {};
    return s_->records;
}

std::optional<std::string_view> get_records_page::next_shard_iterator() const noexcept {
    if (!s_)
        return std::nullopt;
    return s_->next_iterator;
}

get_records_response get_records_page::to_response() const {
    get_records_response out;
    if (!s_)
        return out;
    out.records.reserve(s_->records.size());
    for (const stream_record_view& r : s_->records)
        out.records.push_back(r.to_record());
    if (s_->next_iterator)
        out.next_shard_iterator.emplace(*s_->next_iterator);
    return out;
}

namespace model {

namespace {

using model_detail::view_maker;
using kind = attribute_value::kind;

attribute_view view_of(get_records_page::state& s, std::string_view name, const attribute_value& v);

template <class Members, class Each>
attribute_view children_of(get_records_page::state& s, kind k, std::string_view name,
                           const Members& members, Each each) {
    std::vector<attribute_view> views;
    views.reserve(members.size());
    for (const auto& m : members)
        views.push_back(each(m));
    return view_maker::make(k, name, s.copy(views.data(), views.size()), views.size());
}

item_view item_of(get_records_page::state& s, const item& it) {
    std::vector<attribute_view> views;
    views.reserve(it.size());
    for (const auto& [name, v] : it)
        views.push_back(view_of(s, name, v));
    return item_view({s.copy(views.data(), views.size()), views.size()});
}

attribute_view view_of(get_records_page::state& s, std::string_view name,
                       const attribute_value& v) {
    auto text = [&](kind k, std::string_view t) {
        return view_maker::make(k, name, t.data(), t.size());
    };
    auto b = [&](const bytes& x) { return view_maker::make(kind::B, {}, x.data(), x.size()); };
    switch (v.type()) {
    case kind::S:
        return text(kind::S, v.as_s());
    case kind::N:
        return text(kind::N, v.as_n().str());
    case kind::B: {
        auto r = b(v.as_b());
        view_maker::rename(r, name);
        return r;
    }
    case kind::SS:
        return children_of(s, kind::SS, name, v.as_ss(), [](const std::string& m) {
            return view_maker::make(kind::S, {}, m.data(), m.size());
        });
    case kind::NS:
        return children_of(s, kind::NS, name, v.as_ns(), [](const number& m) {
            return view_maker::make(kind::N, {}, m.str().data(), m.str().size());
        });
    case kind::BS:
        return children_of(s, kind::BS, name, v.as_bs(), b);
    case kind::M: {
        item_view m = item_of(s, v.as_m());
        return view_maker::make(kind::M, name, m.begin(), m.size());
    }
    case kind::L:
        return children_of(s, kind::L, name, v.as_l(),
                           [&](const attribute_value& e) { return view_of(s, {}, e); });
    case kind::BOOL:
        return view_maker::make(kind::BOOL, name, nullptr, 0, v.as_bool());
    default:
        return view_maker::make(kind::NULL_, name, nullptr, 0);
    }
}

stream_record_view record_of(get_records_page::state& s, const stream_record& r) {
    stream_record_view v;
    v.event_id = r.event_id;
    v.event_name = r.event_name;
    v.event_version = r.event_version;
    v.event_source = r.event_source;
    v.aws_region = r.aws_region;
    v.approximate_creation_time = r.approximate_creation_time;
    v.keys = item_of(s, r.keys);
    if (r.old_image)
        v.old_image = item_of(s, *r.old_image);
    if (r.new_image)
        v.new_image = item_of(s, *r.new_image);
    v.sequence_number = r.sequence_number;
    v.size_bytes = r.size_bytes;
    v.stream_view_type = r.stream_view_type;
    if (r.user_identity)
        v.user_identity =
            stream_identity_view{r.user_identity->principal_id, r.user_identity->type};
    return v;
}

} // namespace

get_records_page page_of(get_records_response response) {
    get_records_page page;
    get_records_page::state& s = view_maker::state_of(page);
    s.owned = std::move(response); // (in the page's heap state: views stay valid on moves)
    s.records.reserve(s.owned.records.size());
    for (const stream_record& r : s.owned.records)
        s.records.push_back(record_of(s, r));
    if (s.owned.next_shard_iterator)
        s.next_iterator = *s.owned.next_shard_iterator;
    return page;
}

} // namespace model

} // namespace ddb
