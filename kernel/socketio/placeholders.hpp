// Writing binary values as Socket.IO attachment placeholders, for any nlohmann JSON
// flavour: the sorted `json` of plugins and packets, and the insertion-ordered JSON of
// what arrives from the cluster (where a client's key order must survive).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::kernel::socketio::detail {

template <class Json>
bool contains_binary(const Json& node) noexcept {
    if (node.is_binary()) return true;
    if (node.is_array()) {
        for (const Json& element : node)
            if ((element.is_structured() || element.is_binary()) && contains_binary(element)) return true;
        return false;
    }
    if (node.is_object()) {
        for (const auto& member : node.items())
            if ((member.value().is_structured() || member.value().is_binary()) && contains_binary(member.value()))
                return true;
    }
    return false;
}

// Serializes like dump(), but writes each binary value as a placeholder numbered in the
// order met (depth first, object members in the order dump() writes them) and moves
// its bytes to `attachments`. Building a placeholder copy of the tree instead would copy
// every attachment's bytes once more. Never throws on invalid UTF-8 (replaced).
template <class Json>
void write_with_placeholders(const Json& node, std::string& out, std::vector<std::string>& attachments) {
    if (node.is_binary()) {
        const auto& bytes = node.get_binary();
        out += R"({"_placeholder":true,"num":)";
        out += std::to_string(attachments.size());
        out += '}';
        attachments.emplace_back(bytes.begin(), bytes.end());
        return;
    }
    if (node.is_array()) {
        out += '[';
        bool first = true;
        for (const Json& element : node) {
            if (!first) out += ',';
            first = false;
            write_with_placeholders(element, out, attachments);
        }
        out += ']';
        return;
    }
    if (node.is_object()) {
        out += '{';
        bool first = true;
        for (const auto& member : node.items()) {
            if (!first) out += ',';
            first = false;
            out += Json(member.key()).dump(-1, ' ', false, Json::error_handler_t::replace);
            out += ':';
            write_with_placeholders(member.value(), out, attachments);
        }
        out += '}';
        return;
    }
    out += node.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The reverse, on a parsed tree: every {"_placeholder": true, "num": N} whose N names
// one of `attachments` becomes that attachment's bytes (a binary value). Used where
// arguments text must become values (an observer, the cluster's messages).
template <class Json>
void restore_binary(Json& node, const std::vector<std::string>& attachments) {
    if (attachments.empty()) return;
    if (node.is_object()) {
        const auto marker = node.find("_placeholder");
        const auto num = node.find("num");
        if (marker != node.end() && marker->is_boolean() && marker->template get<bool>() && num != node.end() &&
            num->is_number_unsigned() && num->template get<std::uint64_t>() < attachments.size()) {
            const auto& bytes = attachments[num->template get<std::size_t>()];
            node = Json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
            return;
        }
    }
    if (node.is_structured())
        for (auto& item : node) restore_binary(item, attachments);
}

}  // namespace switchboard::kernel::socketio::detail
