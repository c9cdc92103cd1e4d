#include "kernel/cluster/session_store.hpp"

#include <algorithm>
#include <charconv>

namespace switchboard::kernel::cluster {

std::optional<log_position> log_position::parse(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
    log_position out;
    auto number = [](std::string_view digits, std::uint64_t& value) {
        if (digits.find_first_not_of("0123456789") != std::string_view::npos) return false;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        return ec == std::errc() && end == digits.data() + digits.size();
    };
    if (!number(text.substr(0, dash), out.ms) || !number(text.substr(dash + 1), out.seq)) return std::nullopt;
    return out;
}

bool reaches(const std::vector<std::string>& rooms, const std::vector<std::string>& to_rooms,
             const std::vector<std::string>& except_rooms) {
    auto member = [&](const std::string& room) { return std::find(rooms.begin(), rooms.end(), room) != rooms.end(); };
    if (std::any_of(except_rooms.begin(), except_rooms.end(), member)) return false;
    return to_rooms.empty() || std::any_of(to_rooms.begin(), to_rooms.end(), member);
}

}  // namespace switchboard::kernel::cluster
