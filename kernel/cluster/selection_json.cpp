#include "kernel/cluster/selection_json.hpp"

#include <algorithm>

namespace switchboard::kernel::cluster {

std::vector<std::string> room_names_of(const ordered_json& value) {
    std::vector<std::string> out;
    if (!value.is_array()) return out;
    for (const auto& item : value) {
        if (item.is_string()) out.push_back(item.get<std::string>());
        else if (item.is_number_integer()) out.push_back(item.dump());
    }
    return out;
}

selection selection_from(const ordered_json& opts) {
    selection out;
    if (!opts.is_object()) return out;
    if (const auto rooms = opts.find("rooms"); rooms != opts.end()) out.rooms = room_names_of(*rooms);
    if (const auto except = opts.find("except"); except != opts.end()) out.except = room_names_of(*except);
    return out;
}

ordered_json options_json(const selection& which, bool is_volatile) {
    ordered_json flags = ordered_json::object();
    if (is_volatile) flags["volatile"] = true;
    return ordered_json{{"rooms", which.rooms}, {"except", which.except}, {"flags", std::move(flags)}};
}

ordered_json acked_options_json(const selection& to, std::chrono::milliseconds timeout) {
    auto opts = options_json(to);
    opts["flags"]["timeout"] = timeout.count();
    return opts;
}

bool has_binary(const ordered_json& value) {
    if (value.is_binary()) return true;
    if (value.is_array() || value.is_object())
        return std::any_of(value.begin(), value.end(), [](const ordered_json& item) { return has_binary(item); });
    return false;
}

}  // namespace switchboard::kernel::cluster
