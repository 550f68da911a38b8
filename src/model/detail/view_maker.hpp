// Internal: what builds get_records_page's views (the page's state with its
// arena, and attribute_view's fields), for the page decoder
// (get_records_page_parser.cpp) and page_of (get_records_page.cpp).
#pragma once

#include <ddb/model/get_records_page.hpp>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ddb {

/// The page's text, arena and records. The arena is a list of blocks, each
/// at least twice the one before: one allocation per block, none per value,
/// all freed with the page.
struct get_records_page::state {
    std::string text;
    std::vector<std::unique_ptr<std::byte[]>> blocks;
    std::byte* free = nullptr;
    std::size_t left = 0;
    std::size_t next_block = 0;
    std::vector<stream_record_view> records;
    std::optional<std::string_view> next_iterator;
    get_records_response owned; // page_of: what the views point into

    void* allocate(std::size_t n, std::size_t align) {
        std::size_t pad = (align - reinterpret_cast<std::uintptr_t>(free) % align) % align;
        if (!free || pad + n > left) {
            next_block = std::max({next_block * 2, n + align, std::size_t(4096)});
            blocks.push_back(std::make_unique_for_overwrite<std::byte[]>(next_block));
            free = blocks.back().get();
            left = next_block;
            pad = (align - reinterpret_cast<std::uintptr_t>(free) % align) % align;
        }
        std::byte* p = free + pad;
        free = p + n;
        left -= pad + n;
        return p;
    }
    std::string_view copy(std::string_view s) {
        if (s.empty())
            return {};
        char* p = static_cast<char*>(allocate(s.size(), 1));
        std::memcpy(p, s.data(), s.size());
        return {p, s.size()};
    }
    template <class T>
    T* copy(const T* from, std::size_t n) {
        if (n == 0)
            return nullptr;
        T* p = static_cast<T*>(allocate(n * sizeof(T), alignof(T)));
        std::memcpy(static_cast<void*>(p), from, n * sizeof(T));
        return p;
    }
};

namespace model_detail {

struct view_maker {
    using kind = attribute_value::kind;
    static get_records_page::state& state_of(get_records_page& p) {
        if (!p.s_)
            p.s_ = std::make_unique<get_records_page::state>();
        return *p.s_;
    }
    static attribute_view make(kind k, std::string_view name, const void* data, std::size_t size,
                               bool flag = false) {
        attribute_view v;
        v.name_ = name.data();
        v.name_size_ = static_cast<std::uint32_t>(name.size());
        v.data_ = data;
        v.size_ = static_cast<std::uint32_t>(size);
        v.type_ = static_cast<std::uint8_t>(k);
        v.flag_ = flag;
        return v;
    }
    static void rename(attribute_view& v, std::string_view name) {
        v.name_ = name.data();
        v.name_size_ = static_cast<std::uint32_t>(name.size());
    }
};

} // namespace model_detail

} // namespace ddb
