#include "kernel/socketio/msgpack_parser.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace switchboard::kernel::socketio::msgpack {

namespace {

// As the default decoder's JSON: nlohmann's reader recurses once per level, so a client
// must not choose the depth.
constexpr std::size_t max_depth = 128;

std::uint64_t read_be(std::string_view bytes, std::size_t at, std::size_t width) noexcept {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    return value;
}

// Walks one MessagePack value without recursion: true when `bytes` is exactly one
// well-formed value nested at most max_depth deep. Every element takes at least a
// byte, so a declared count larger than the input fails when the input runs out.
bool well_formed(std::string_view bytes) noexcept {
    std::vector<std::uint64_t> open;   // elements left in each open array / map
    std::uint64_t expected = 1;         // at the current level
    std::size_t at = 0;
    for (;;) {
        while (expected == 0) {
            if (open.empty()) return at == bytes.size();
            expected = open.back();
            open.pop_back();
        }
        if (at >= bytes.size()) return false;
        --expected;
        const auto tag = static_cast<unsigned char>(bytes[at++]);
        std::uint64_t skip = 0;       // bytes after the tag
        std::uint64_t length_width = 0;  // a length of this many bytes follows the tag
        std::uint64_t extra = 0;      // then this many bytes (an ext type) before the data
        std::optional<std::uint64_t> children;
        if (tag <= 0x7f || tag >= 0xe0 || tag == 0xc0 || tag == 0xc2 || tag == 0xc3) {
            skip = 0;
        } else if (tag <= 0x8f) {
            children = 2 * std::uint64_t{tag & 0x0fu};
        } else if (tag <= 0x9f) {
            children = tag & 0x0fu;
        } else if (tag <= 0xbf) {
            skip = tag & 0x1fu;
        } else {
            switch (tag) {
                case 0xc4: case 0xd9: length_width = 1; break;
                case 0xc5: case 0xda: length_width = 2; break;
                case 0xc6: case 0xdb: length_width = 4; break;
                case 0xc7: length_width = 1; extra = 1; break;
                case 0xc8: length_width = 2; extra = 1; break;
                case 0xc9: length_width = 4; extra = 1; break;
                case 0xca: skip = 4; break;
                case 0xcb: skip = 8; break;
                case 0xcc: case 0xd0: skip = 1; break;
                case 0xcd: case 0xd1: skip = 2; break;
                case 0xce: case 0xd2: skip = 4; break;
                case 0xcf: case 0xd3: skip = 8; break;
                case 0xd4: skip = 2; break;
                case 0xd5: skip = 3; break;
                case 0xd6: skip = 5; break;
                case 0xd7: skip = 9; break;
                case 0xd8: skip = 17; break;
                case 0xdc: case 0xdd: case 0xde: case 0xdf: {
                    const std::size_t width = (tag == 0xdc || tag == 0xde) ? 2 : 4;
                    if (bytes.size() - at < width) return false;
                    const std::uint64_t count = read_be(bytes, at, width);
                    at += width;
                    children = tag >= 0xde ? 2 * count : count;
                    break;
                }
                default: return false;   // 0xc1: never used
            }
        }
        if (length_width != 0) {
            if (bytes.size() - at < length_width) return false;
            skip = read_be(bytes, at, length_width) + extra;
            at += length_width;
        }
        if (bytes.size() - at < skip) return false;
        at += skip;
        if (children) {
            if (open.size() >= max_depth) return false;
            open.push_back(expected);
            expected = *children;
        }
    }
}

// notepack.io writes `undefined` as the fixext d4 00 00 (a JavaScript client sends
// {data: undefined} for a CONNECT without auth); nlohmann reads it as a 1-byte binary
// of subtype 0.
bool is_undefined(const json& value) {
    return value.is_binary() && value.get_binary().has_subtype() && value.get_binary().subtype() == 0 &&
           value.get_binary().size() == 1;
}

// What JSON makes of the data: `undefined` is null in an array and no key in an object
// (as JSON.stringify); any other `ext` value is bytes, as `bin` (and written back so).
void normalize(json& node) {
    if (node.is_binary()) {
        node.get_binary().clear_subtype();
    } else if (node.is_array()) {
        for (auto& child : node) {
            if (is_undefined(child)) child = nullptr;
            else normalize(child);
        }
    } else if (node.is_object()) {
        for (auto it = node.begin(); it != node.end();) {
            if (is_undefined(*it)) {
                it = node.erase(it);
            } else {
                normalize(*it);
                ++it;
            }
        }
    }
}

std::optional<std::int64_t> integer_of(const json& value) {
    if (value.is_number_unsigned()) {
        const auto n = value.get<std::uint64_t>();
        if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(n);
    }
    if (value.is_number_integer()) return value.get<std::int64_t>();
    return std::nullopt;
}

void append_key(std::string& out, std::string_view key) {
    out.push_back(static_cast<char>(0xa0 | key.size()));   // fixstr: every key is short
    out.append(key);
}

}  // namespace

decode_error decode(std::string_view bytes, packet& out) {
    if (bytes.empty()) return decode_error::empty;
    if (!well_formed(bytes)) return decode_error::bad_msgpack;
    json decoded = json::from_msgpack(bytes, true, false);
    if (!decoded.is_object()) return decode_error::bad_msgpack;

    const auto type = decoded.find("type");
    const auto type_value = type == decoded.end() ? std::nullopt : integer_of(*type);
    if (!type_value || *type_value < 0 || *type_value > static_cast<int>(packet_type::connect_error))
        return decode_error::unknown_type;
    const auto nsp = decoded.find("nsp");
    if (nsp == decoded.end() || !nsp->is_string()) return decode_error::bad_namespace;

    packet p;
    p.type = static_cast<packet_type>(*type_value);
    p.nsp = nsp->get<std::string>();
    if (const auto id = decoded.find("id"); id != decoded.end() && !is_undefined(*id)) {
        const auto id_value = integer_of(*id);
        if (!id_value || *id_value < 0) return decode_error::bad_ack_id;
        p.id = *id_value;
    }
    if (const auto data = decoded.find("data"); data != decoded.end() && !is_undefined(*data)) {
        p.data = std::move(*data);
        if (p.data.is_structured()) normalize(p.data);
        else if (p.data.is_binary()) p.data.get_binary().clear_subtype();
    }
    if (!is_payload_valid(p.type, p.data)) return decode_error::invalid_payload;
    out = std::move(p);
    return decode_error::none;
}

std::string encode(const packet& p) {
    packet_type type = p.type;
    if (type == packet_type::binary_event) type = packet_type::event;
    if (type == packet_type::binary_ack) type = packet_type::ack;
    const bool with_id = p.id != no_ack_id;
    std::string out;
    out.push_back(static_cast<char>(0x80 | (2 + (p.has_data() ? 1 : 0) + (with_id ? 1 : 0))));   // fixmap
    append_key(out, "type");
    out.push_back(static_cast<char>(type));   // a positive fixint
    if (p.has_data()) {
        append_key(out, "data");
        json::to_msgpack(p.data, out);   // appends
    }
    append_key(out, "nsp");
    json::to_msgpack(json(p.nsp), out);
    if (with_id) {
        append_key(out, "id");
        json::to_msgpack(json(p.id), out);
    }
    return out;
}

engineio::wire_message from_default_format(const engineio::wire_message& message) {
    if (message.empty() || message.front()->is_binary()) return message;
    decoder_limits limits;
    limits.max_attachments = message.size() - 1;
    limits.max_amplification = 1024;   // our own message: any placeholder reuse is ours
    decoder reader(limits);
    std::optional<packet> complete;
    auto error = reader.add_text(message.front()->payload().substr(1), complete);   // after the "4"
    for (std::size_t i = 1; i < message.size() && error == decode_error::none; ++i)
        error = reader.add_binary(message[i]->payload(), complete);
    if (error != decode_error::none || !complete) return message;
    return {engineio::wire_packet::binary(msgpack::encode(*complete))};
}

}  // namespace switchboard::kernel::socketio::msgpack
