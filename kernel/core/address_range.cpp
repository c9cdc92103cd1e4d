#include "kernel/core/address_range.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace switchboard::kernel {

namespace {

// IPv4 as ::ffff:a.b.c.d; the prefix length is shifted by 96 bits to match.
bool to_bytes(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v4) {
    const std::string copy(text);
    in6_addr v6{};
    if (::inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        v4 = false;
        return true;
    }
    in_addr a4{};
    if (::inet_pton(AF_INET, copy.c_str(), &a4) == 1) {
        out.fill(0);
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, &a4, 4);
        v4 = true;
        return true;
    }
    return false;
}

}  // namespace

std::optional<address_range> address_range::parse(std::string_view text) {
    const auto slash = text.find('/');
    address_range range;
    bool v4 = false;
    if (!to_bytes(text.substr(0, slash), range.bytes, v4)) return std::nullopt;
    const unsigned width = v4 ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string_view::npos) {
        const auto bits = text.substr(slash + 1);
        const auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
        if (bits.empty() || ec != std::errc{} || ptr != bits.data() + bits.size() || prefix > width)
            return std::nullopt;
    }
    range.prefix = v4 ? prefix + 96 : prefix;
    return range;
}

bool address_range::contains(std::string_view address) const {
    std::array<std::uint8_t, 16> peer{};
    bool v4 = false;
    if (!to_bytes(address, peer, v4)) return false;
    unsigned bits = prefix;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
        const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
        if ((peer[i] & mask) != (bytes[i] & mask)) return false;
    }
    return true;
}

bool address_allowed(const std::vector<address_range>& ranges, std::string_view address) {
    if (ranges.empty()) return true;
    for (const auto& range : ranges)
        if (range.contains(address)) return true;
    return false;
}

}  // namespace switchboard::kernel
