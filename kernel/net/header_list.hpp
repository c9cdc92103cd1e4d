// The headers of a request kept for the life of a session, in one allocation.
//
// A session keeps every header of its handshake (socket.handshake.headers shows them
// all, as the reference server's does), for as long as it lives. As a vector of string
// pairs that is two strings and often two heap blocks per header: about 400 bytes for a
// browser's handful of headers, a seventh of an idle session. Here each header is its
// name's and its value's lengths followed by their bytes, all in one string.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::kernel::net {

class header_list {
public:
    using header = std::pair<std::string_view, std::string_view>;   // name, value

    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = header;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = header;

        iterator() = default;
        explicit iterator(const char* at) : at_(at) {}
        header operator*() const {
            const auto name_size = length_at(at_);
            const char* name = at_ + sizeof(std::uint32_t);
            const char* value_length = name + name_size;
            return {{name, name_size}, {value_length + sizeof(std::uint32_t), length_at(value_length)}};
        }
        iterator& operator++() {
            const auto [name, value] = **this;
            at_ = value.data() + value.size();
            return *this;
        }
        iterator operator++(int) {
            auto before = *this;
            ++*this;
            return before;
        }
        bool operator==(const iterator&) const = default;

    private:
        const char* at_ = nullptr;
    };

    header_list() = default;
    header_list(std::initializer_list<header> headers) {
        for (const auto& [name, value] : headers) add(name, value);
    }
    // `lower_case_headers`: names already in lower case.
    explicit header_list(const std::vector<std::pair<std::string, std::string>>& lower_case_headers) {
        std::size_t size = 0;
        for (const auto& [name, value] : lower_case_headers) size += 2 * sizeof(std::uint32_t) + name.size() + value.size();
        bytes_.reserve(size);
        for (const auto& [name, value] : lower_case_headers) add(name, value);
    }

    void add(std::string_view lower_name, std::string_view value) {
        append_length(lower_name.size());
        bytes_.append(lower_name);
        append_length(value.size());
        bytes_.append(value);
    }

    // The first header of that name; empty when there is none.
    std::string_view find(std::string_view lower_name) const noexcept {
        for (const auto& [name, value] : *this)
            if (name == lower_name) return value;
        return {};
    }

    iterator begin() const noexcept { return iterator(bytes_.data()); }
    iterator end() const noexcept { return iterator(bytes_.data() + bytes_.size()); }
    bool empty() const noexcept { return bytes_.empty(); }

private:
    static std::size_t length_at(const char* at) noexcept {
        std::uint32_t length = 0;
        std::memcpy(&length, at, sizeof length);
        return length;
    }
    void append_length(std::size_t length) {
        const auto value = static_cast<std::uint32_t>(length);   // headers are bounded far below 4 GB
        bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
    }

    std::string bytes_;
};

}  // namespace switchboard::kernel::net
