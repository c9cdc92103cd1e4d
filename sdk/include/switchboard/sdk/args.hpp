// Arguments between a plugin and the kernel: the JSON text with Socket.IO binary
// placeholders and its attachments, both ways (parse_args, encode_args), and the
// [{code, message}] refusal. Part of sdk.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/sdk/abi.hpp"

namespace switchboard::sdk {

// Arguments as the kernel carries them: the text of a JSON array whose binary values
// are placeholders {"_placeholder":true,"num":N}, and the attachments they name. Views:
// valid only during the callback that got them (copy the text and bytes to keep them).
struct raw_args {
    std::string_view text;
    const switchboard_str_t* attachments = nullptr;
    std::size_t attachment_count = 0;
};

namespace detail {

inline bool is_placeholder(const json& value) {
    // As the kernel reads them: other members beside the two are ignored.
    if (!value.is_object()) return false;
    const auto flag = value.find("_placeholder");
    const auto num = value.find("num");
    return flag != value.end() && flag->is_boolean() && flag->get<bool>() && num != value.end() &&
           num->is_number_unsigned();
}

// Replaces placeholders by the attachments' bytes (as json binary values).
inline void restore_binary(json& value, const switchboard_str_t* attachments, std::size_t count) {
    if (is_placeholder(value)) {
        const auto index = value["num"].get<std::size_t>();
        if (index < count) {
            const auto bytes = view(attachments[index]);
            value = json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
        }
        return;
    }
    if (value.is_array() || value.is_object())
        for (auto& item : value) restore_binary(item, attachments, count);
}

// Parses JSON text with placeholders into a value holding json binary values.
inline json parse_args(switchboard_str_t text, const switchboard_str_t* attachments, std::size_t count) {
    const auto s = view(text);
    if (s.empty()) return json::array();
    json value = json::parse(s, nullptr, false);
    if (value.is_discarded()) return json::array();
    if (count) restore_binary(value, attachments, count);
    return value;
}

// The reverse: JSON text with placeholders, and the attachments' bytes.
struct encoded_args {
    std::string text;
    std::vector<std::string> attachment_bytes;
    std::vector<switchboard_str_t> attachments;
};

inline void extract_binary(json& value, std::vector<std::string>& out) {
    if (value.is_binary()) {
        const auto& bytes = value.get_binary();
        out.emplace_back(bytes.begin(), bytes.end());
        value = json{{"_placeholder", true}, {"num", out.size() - 1}};
        return;
    }
    if (value.is_array() || value.is_object())
        for (auto& item : value) extract_binary(item, out);
}

inline encoded_args encode_args(json args) {
    if (!args.is_array()) args = json::array({std::move(args)});
    encoded_args out;
    extract_binary(args, out.attachment_bytes);
    out.text = args.dump(-1, ' ', false, json::error_handler_t::replace);
    for (const auto& bytes : out.attachment_bytes) out.attachments.push_back(view(bytes));
    return out;
}

// Parses JSON text the kernel wrote; null when empty (an older kernel) or malformed.
inline json parse_or_null(switchboard_str_t text) {
    const auto s = view(text);
    if (s.empty()) return nullptr;
    json value = json::parse(s, nullptr, false);
    return value.is_discarded() ? json(nullptr) : value;
}

inline json error_args(std::string_view code, std::string_view message) {
    return json::array({json{{"code", code}, {"message", message}}});
}

}  // namespace detail

}  // namespace switchboard::sdk
