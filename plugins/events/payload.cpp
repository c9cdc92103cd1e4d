#include "payload.hpp"

#include <algorithm>
#include <cctype>

namespace switchboard::plugins::events {

std::string read_event_id(const json& payload, const char* field) {
    const std::string& id = read_string(payload, field);
    const bool allowed = std::all_of(id.begin(), id.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-';
    });
    if (id.empty() || id.size() > max_event_id_bytes || !allowed)
        throw sdk::error("invalid_payload", std::string(field) + " must be 1 to " +
                                                std::to_string(max_event_id_bytes) + " letters, digits, _ . : or -");
    return id;
}

}  // namespace switchboard::plugins::events
