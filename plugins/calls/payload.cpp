#include "payload.hpp"

#include <algorithm>

namespace switchboard::plugins::calls {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw sdk::error("invalid_payload", message); }

std::string read_string(const json& payload, const char* field, std::size_t max_bytes) {
    const auto it = payload.find(field);
    if (it == payload.end() || !it->is_string()) invalid(std::string(field) + " must be a string");
    const auto& text = it->get_ref<const std::string&>();
    if (text.empty() || text.size() > max_bytes || sdk::payload::has_control(text))
        invalid(std::string(field) + " must be 1 to " + std::to_string(max_bytes) + " bytes without control characters");
    return text;
}

}  // namespace

invite_request read_invite(const json& payload, const std::string& caller, std::size_t max_participants) {
    invite_request out;
    const auto to = payload.find("to");
    if (to == payload.end()) invalid("to must be a user id or an array of user ids");
    const json list = to->is_array() ? *to : json::array({*to});
    if (list.empty()) invalid("to must name at least one user");
    for (const auto& user : list) {
        if (!sdk::payload::is_user_id(user)) invalid("to must hold user ids: strings of 1 to 255 bytes");
        const auto& id = user.get_ref<const std::string&>();
        if (id == caller) invalid("to must not hold the caller");
        if (std::find(out.invitees.begin(), out.invitees.end(), id) == out.invitees.end()) out.invitees.push_back(id);
    }
    if (out.invitees.size() + 1 > max_participants)
        invalid("a call holds at most " + std::to_string(max_participants) + " people, the caller included");
    if (const auto media = payload.find("media"); media != payload.end()) {
        if (!media->is_string() || (*media != "audio" && *media != "video")) invalid("media must be \"audio\" or \"video\"");
        out.media = media->get<std::string>();
    }
    if (const auto metadata = payload.find("metadata"); metadata != payload.end() && !metadata->is_null()) {
        if (!metadata->is_object()) invalid("metadata must be an object");
        if (metadata->dump().size() > max_metadata_bytes) invalid("metadata must be at most 4096 bytes as JSON");
        out.metadata = *metadata;
    }
    return out;
}

std::string read_call_id(const json& payload) { return read_string(payload, "callId", max_call_id_bytes); }

std::string read_reason(const json& payload) {
    if (!payload.contains("reason") || payload.at("reason").is_null()) return "declined";
    return read_string(payload, "reason", max_reason_bytes);
}

signal_request read_signal(const json& payload, std::size_t max_bytes) {
    signal_request out;
    out.call_id = read_call_id(payload);
    out.to = read_string(payload, "to", max_user_id_bytes);
    out.kind = read_string(payload, "kind", 16);
    if (out.kind != "offer" && out.kind != "answer" && out.kind != "candidate")
        invalid("kind must be \"offer\", \"answer\" or \"candidate\"");
    const auto it = payload.find("payload");
    if (it == payload.end()) invalid("payload is required (the SDP or the ICE candidate)");
    if (it->dump().size() > max_bytes) invalid("payload must be at most " + std::to_string(max_bytes) + " bytes as JSON");
    out.payload = *it;
    return out;
}

}  // namespace switchboard::plugins::calls
