#include "kernel/engineio/packet_v3.hpp"

#include <algorithm>

namespace switchboard::kernel::engineio::v3 {

namespace {

constexpr char binary_marker = 'b';
constexpr unsigned char text_flag = 0;
constexpr unsigned char binary_flag = 1;
constexpr unsigned char length_end = 0xff;
// A length of more digits than this is no real packet (10 digits: up to 9.9 GB); it also
// keeps the arithmetic below far from overflowing.
constexpr std::size_t max_length_digits = 10;

bool type_of(char digit, packet_type& type) noexcept {
    if (digit < '0' || digit > '6') return false;
    type = static_cast<packet_type>(digit - '0');
    return true;
}

// The bytes of one UTF-8 sequence starting with `lead`, and the UTF-16 units it stands
// for. A stray continuation or invalid byte counts as one unit, as the one U+FFFD a
// JavaScript decoder would make of it.
struct utf8_step {
    std::size_t bytes;
    std::size_t units;
};

utf8_step step_of(unsigned char lead) noexcept {
    if (lead >= 0xf0 && lead <= 0xf7) return {4, 2};
    if (lead >= 0xe0 && lead <= 0xef) return {3, 1};
    if (lead >= 0xc0 && lead <= 0xdf) return {2, 1};
    return {1, 1};
}

void append_length(std::string& out, std::size_t length) { out += std::to_string(length); }

// The binary payload's length: one byte per decimal digit.
void append_length_digits(std::string& out, std::size_t length) {
    for (const char digit : std::to_string(length)) out.push_back(static_cast<char>(digit - '0'));
    out.push_back(static_cast<char>(length_end));
}

bool has_binary(const std::vector<wire_packet_ptr>& packets) {
    return std::any_of(packets.begin(), packets.end(), [](const auto& p) { return p->is_binary(); });
}

decode_error decode_text_payload(std::string_view body, std::vector<packet>& out, std::size_t max_packets) {
    std::size_t at = 0;
    while (at < body.size()) {
        const std::size_t colon = body.find(':', at);
        if (colon == std::string_view::npos || colon == at || colon - at > max_length_digits)
            return decode_error::unknown_type;
        std::size_t units = 0;
        for (std::size_t i = at; i < colon; ++i) {
            if (body[i] < '0' || body[i] > '9') return decode_error::unknown_type;
            units = units * 10 + static_cast<std::size_t>(body[i] - '0');
        }
        // Walk `units` UTF-16 units of UTF-8; a length ending inside a surrogate pair or
        // past the body is a broken payload.
        std::size_t end = colon + 1;
        while (units > 0) {
            if (end >= body.size()) return decode_error::unknown_type;
            const auto step = step_of(static_cast<unsigned char>(body[end]));
            if (step.units > units || end + step.bytes > body.size()) return decode_error::unknown_type;
            units -= step.units;
            end += step.bytes;
        }
        const std::string_view text = body.substr(colon + 1, end - colon - 1);
        at = end;
        if (text.empty()) continue;   // "0:", the empty payload
        if (out.size() >= max_packets) return decode_error::too_many_packets;
        if (const auto error = v3::decode_text(text, out.emplace_back()); error != decode_error::none) return error;
    }
    return decode_error::none;
}

decode_error decode_binary_payload(std::string_view body, std::vector<packet>& out, std::size_t max_packets) {
    std::size_t at = 0;
    while (at < body.size()) {
        const auto flag = static_cast<unsigned char>(body[at++]);
        if (flag != text_flag && flag != binary_flag) return decode_error::unknown_type;
        std::size_t length = 0;
        std::size_t digits = 0;
        for (;;) {
            if (at >= body.size()) return decode_error::unknown_type;
            const auto digit = static_cast<unsigned char>(body[at++]);
            if (digit == length_end) break;
            if (digit > 9 || ++digits > max_length_digits) return decode_error::unknown_type;
            length = length * 10 + digit;
        }
        if (digits == 0 || length > body.size() - at) return decode_error::unknown_type;
        const std::string_view content = body.substr(at, length);
        at += length;
        if (out.size() >= max_packets) return decode_error::too_many_packets;
        const auto error = flag == text_flag ? v3::decode_text(content, out.emplace_back())
                                             : decode_binary_frame(content, out.emplace_back());
        if (error != decode_error::none) return error;
    }
    return decode_error::none;
}

}  // namespace

std::size_t utf16_length(std::string_view utf8) noexcept {
    std::size_t units = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto step = step_of(static_cast<unsigned char>(utf8[i]));
        units += step.units;
        i += step.bytes;
    }
    return units;
}

decode_error decode_text(std::string_view text, packet& out) {
    if (text.empty()) return decode_error::empty;
    if (text.front() == binary_marker) {
        if (text.size() < 2 || !type_of(text[1], out.type)) return decode_error::unknown_type;
        out.binary = true;
        return base64_decode(text.substr(2), out.data) ? decode_error::none : decode_error::bad_base64;
    }
    if (!type_of(text.front(), out.type)) return decode_error::unknown_type;
    out.binary = false;
    out.data.assign(text.substr(1));
    return decode_error::none;
}

decode_error decode_binary_frame(std::string_view bytes, packet& out) {
    if (bytes.empty()) return decode_error::empty;
    const auto type = static_cast<unsigned char>(bytes.front());
    if (type > static_cast<unsigned char>(packet_type::noop)) return decode_error::unknown_type;
    out.type = static_cast<packet_type>(type);
    out.binary = true;
    out.data.assign(bytes.substr(1));
    return decode_error::none;
}

wire_packet_ptr binary_message(std::string_view bytes) {
    std::string framed;
    framed.reserve(1 + bytes.size());
    framed.push_back(static_cast<char>(packet_type::message));
    framed.append(bytes);
    return wire_packet::binary(framed);
}

decode_error decode_payload(std::string_view body, bool binary, std::vector<packet>& out, std::size_t max_packets) {
    out.clear();
    if (body.empty()) return decode_error::empty;
    const auto error =
        binary ? decode_binary_payload(body, out, max_packets) : decode_text_payload(body, out, max_packets);
    if (error != decode_error::none) out.clear();
    return error;
}

payload encode_payload(const std::vector<wire_packet_ptr>& packets, bool binary_allowed) {
    payload result;
    result.binary = binary_allowed && has_binary(packets);
    std::string& body = result.body;
    for (const auto& p : packets) {
        const std::string_view data = p->payload();
        if (result.binary) {
            // Text as its UTF-8 bytes; binary as the message type byte and the bytes.
            body.push_back(static_cast<char>(p->is_binary() ? binary_flag : text_flag));
            append_length_digits(body, data.size() + (p->is_binary() ? 1 : 0));
            if (p->is_binary()) body.push_back(static_cast<char>(packet_type::message));
            body.append(data);
        } else if (p->is_binary()) {
            const std::string encoded = base64_encode(data);
            append_length(body, 2 + encoded.size());
            body += ':';
            body += binary_marker;
            body += static_cast<char>('0' + static_cast<int>(packet_type::message));
            body += encoded;
        } else {
            body += text_payload(data);
        }
    }
    return result;
}

std::string text_payload(std::string_view packet_text) {
    std::string body;
    append_length(body, utf16_length(packet_text));
    body += ':';
    body.append(packet_text);
    return body;
}

}  // namespace switchboard::kernel::engineio::v3
