#include "payloads.hpp"

#include <string_view>
#include <unordered_set>

namespace switchboard::plugins::presence {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::error("invalid_payload", message); }

// The first argument, which must be an object.
const json& payload_object(const json& args) {
    if (!args.is_array() || args.empty() || !args[0].is_object()) invalid("the first argument must be an object");
    return args[0];
}

}  // namespace

std::vector<std::string> read_user_ids(const json& args, std::size_t max_count) {
    const json& payload = payload_object(args);
    const auto found = payload.find("userIds");
    if (found == payload.end()) invalid("userIds is missing");
    if (!found->is_array()) invalid("userIds must be an array of strings");
    // Checked before looking at the items: a huge list costs nothing more than its parse.
    if (found->empty() || found->size() > max_count)
        invalid("userIds must hold 1 to " + std::to_string(max_count) + " ids, got " + std::to_string(found->size()));
    std::vector<std::string> ids;
    ids.reserve(found->size());
    std::unordered_set<std::string_view> seen;
    for (const auto& item : *found) {
        if (!item.is_string()) invalid("userIds must be an array of strings");
        const auto& id = item.get_ref<const std::string&>();
        if (id.empty() || id.size() > max_user_id_bytes)
            invalid("a user id must have 1 to " + std::to_string(max_user_id_bytes) + " bytes");
        if (seen.insert(id).second) ids.push_back(id);
    }
    return ids;
}

std::string read_status(const json& args) {
    const json& payload = payload_object(args);
    const auto found = payload.find("status");
    if (found == payload.end()) invalid("status is missing");
    if (found->is_string()) {
        const auto& status = found->get_ref<const std::string&>();
        if (status == "online" || status == "away" || status == "busy") return status;
    }
    invalid("status must be \"online\", \"away\" or \"busy\"");
}

std::optional<bool> read_count_request(const json& args) {
    if (!args.is_array() || args.empty() || args[0].is_null()) return std::nullopt;
    const json& payload = payload_object(args);
    const auto found = payload.find("subscribe");
    if (found == payload.end() || found->is_null()) return std::nullopt;
    if (!found->is_boolean()) invalid("subscribe must be a boolean");
    return found->get<bool>();
}

}  // namespace switchboard::plugins::presence
