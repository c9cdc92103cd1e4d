// An address or CIDR range ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"), and the
// test of a peer address against a list of them (the /metrics and /healthz allow list).
//
// Plain inet_pton, no Asio: the config reader validates entries with it too.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace switchboard::kernel {

struct address_range {
    // IPv4 is kept as an IPv4-mapped IPv6 address, so one comparison serves both.
    std::array<std::uint8_t, 16> bytes{};
    unsigned prefix = 128;

    // Nothing when `text` is not an address with an optional /prefix that fits it.
    static std::optional<address_range> parse(std::string_view text);
    // True when `address` (as the peer's textual address) is in the range.
    bool contains(std::string_view address) const;
};

// True when `address` is in one of `ranges`; an empty list allows every address.
bool address_allowed(const std::vector<address_range>& ranges, std::string_view address);

}  // namespace switchboard::kernel
