#include "kernel/engineio/packet.hpp"

#include <algorithm>
#include <array>

namespace switchboard::kernel::engineio {

namespace {

// ASCII record separator: engine.io v4 chose it because it never appears inside a UTF-8
// multibyte sequence, so a body can be split on raw bytes without decoding it first.
constexpr char record_separator = '\x1e';
constexpr char binary_marker = 'b';

constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Any value with the high bit set is "not an alphabet character", so a whole quad can be
// validated with one OR and one test instead of four branches.
constexpr std::uint8_t not_base64 = 0x80;

constexpr std::array<std::uint8_t, 256> base64_values = [] {
    std::array<std::uint8_t, 256> table{};
    table.fill(not_base64);
    for (std::size_t i = 0; i < base64_alphabet.size(); ++i) {
        table[static_cast<unsigned char>(base64_alphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return table;
}();

constexpr std::size_t base64_encoded_size(std::size_t bytes) noexcept {
    return (bytes + 2) / 3 * 4;
}

// Writes exactly base64_encoded_size(bytes.size()) characters at `dst`, so callers can
// size their buffer once and encode in place (no temporary string per binary packet).
void base64_encode_into(std::string_view bytes, char* dst) noexcept {
    const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t left = bytes.size();
    while (left >= 3) {
        const std::uint32_t v = (std::uint32_t{src[0]} << 16) | (std::uint32_t{src[1]} << 8) |
                                std::uint32_t{src[2]};
        dst[0] = base64_alphabet[(v >> 18) & 0x3f];
        dst[1] = base64_alphabet[(v >> 12) & 0x3f];
        dst[2] = base64_alphabet[(v >> 6) & 0x3f];
        dst[3] = base64_alphabet[v & 0x3f];
        src += 3;
        dst += 4;
        left -= 3;
    }
    if (left == 1) {
        const std::uint32_t v = std::uint32_t{src[0]} << 16;
        dst[0] = base64_alphabet[(v >> 18) & 0x3f];
        dst[1] = base64_alphabet[(v >> 12) & 0x3f];
        dst[2] = '=';
        dst[3] = '=';
    } else if (left == 2) {
        const std::uint32_t v = (std::uint32_t{src[0]} << 16) | (std::uint32_t{src[1]} << 8);
        dst[0] = base64_alphabet[(v >> 18) & 0x3f];
        dst[1] = base64_alphabet[(v >> 12) & 0x3f];
        dst[2] = base64_alphabet[(v >> 6) & 0x3f];
        dst[3] = '=';
    }
}

char type_digit(packet_type type) noexcept {
    return static_cast<char>('0' + static_cast<std::uint8_t>(type));
}

}  // namespace

std::string_view to_string(decode_error error) noexcept {
    switch (error) {
        case decode_error::none: return "no error";
        case decode_error::empty: return "empty packet";
        case decode_error::unknown_type: return "unknown packet type";
        case decode_error::bad_base64: return "invalid base64 in binary packet";
        case decode_error::too_large: return "payload too large";
        case decode_error::too_many_packets: return "too many packets in payload";
    }
    return "unknown decode error";
}

decode_error decode_text(std::string_view text, packet& out) {
    if (text.empty()) {
        return decode_error::empty;
    }
    const char first = text.front();
    if (first == binary_marker) {
        // v4 binary has no type of its own: it is always a message. A lone "b" is an empty
        // binary message (what engine.io-client sends for an empty ArrayBuffer).
        out.type = packet_type::message;
        out.binary = true;
        if (!base64_decode(text.substr(1), out.data)) {
            return decode_error::bad_base64;
        }
        return decode_error::none;
    }
    if (first < '0' || first > '6') {
        return decode_error::unknown_type;
    }
    out.type = static_cast<packet_type>(first - '0');
    out.binary = false;
    out.data.assign(text.substr(1));
    return decode_error::none;
}

packet make_binary_message(std::string_view bytes) {
    return packet{packet_type::message, true, std::string(bytes)};
}

decode_error decode_payload(std::string_view body, std::vector<packet>& out,
                            std::size_t max_packets) {
    out.clear();
    if (body.empty()) {
        return decode_error::empty;
    }
    // Counting first refuses an oversized batch before any allocation and lets the vector
    // be sized once; the scan is a vectorised byte count over memory we read anyway.
    const auto separators =
        static_cast<std::size_t>(std::count(body.begin(), body.end(), record_separator));
    if (separators >= max_packets) {
        return decode_error::too_many_packets;
    }
    out.reserve(separators + 1);

    std::size_t start = 0;
    for (;;) {
        const std::size_t end = body.find(record_separator, start);
        const std::string_view segment =
            body.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        // An empty segment (leading, trailing or doubled separator) decodes as `empty`:
        // no client produces one, so it means a broken or hostile sender.
        const decode_error error = decode_text(segment, out.emplace_back());
        if (error != decode_error::none) {
            out.clear();
            return error;
        }
        if (end == std::string_view::npos) {
            return decode_error::none;
        }
        start = end + 1;
    }
}

std::string encode_text(packet_type type, std::string_view data) {
    std::string text;
    text.reserve(1 + data.size());
    text.push_back(type_digit(type));
    text.append(data);
    return text;
}

void append_to_payload(std::string& payload, packet_type type, std::string_view data,
                       bool binary) {
    const std::size_t separator = payload.empty() ? 0 : 1;
    if (!binary) {
        payload.reserve(payload.size() + separator + 1 + data.size());
        if (separator != 0) {
            payload.push_back(record_separator);
        }
        payload.push_back(type_digit(type));
        payload.append(data);
        return;
    }
    // The type is not written: in v4 only a message can carry binary, and the 'b' marker
    // stands for it.
    const std::size_t old_size = payload.size();
    payload.resize(old_size + separator + 1 + base64_encoded_size(data.size()));
    char* dst = payload.data() + old_size;
    if (separator != 0) {
        *dst++ = record_separator;
    }
    *dst++ = binary_marker;
    base64_encode_into(data, dst);
}

std::string base64_encode(std::string_view bytes) {
    std::string text(base64_encoded_size(bytes.size()), '\0');
    base64_encode_into(bytes, text.data());
    return text;
}

bool base64_decode(std::string_view text, std::string& out) {
    out.clear();
    if (text.size() % 4 != 0) {
        return false;
    }
    if (text.empty()) {
        return true;
    }
    std::size_t padding = 0;
    if (text[text.size() - 1] == '=') {
        padding = text[text.size() - 2] == '=' ? 2 : 1;
    }
    const std::size_t quads = text.size() / 4;
    const std::size_t full_quads = padding == 0 ? quads : quads - 1;
    out.resize(quads * 3 - padding);

    const auto* src = reinterpret_cast<const unsigned char*>(text.data());
    char* dst = out.data();
    for (std::size_t i = 0; i < full_quads; ++i) {
        const std::uint8_t a = base64_values[src[0]];
        const std::uint8_t b = base64_values[src[1]];
        const std::uint8_t c = base64_values[src[2]];
        const std::uint8_t d = base64_values[src[3]];
        if (((a | b | c | d) & not_base64) != 0) {
            out.clear();
            return false;
        }
        const std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) |
                                (std::uint32_t{c} << 6) | std::uint32_t{d};
        dst[0] = static_cast<char>(v >> 16);
        dst[1] = static_cast<char>(v >> 8);
        dst[2] = static_cast<char>(v);
        src += 4;
        dst += 3;
    }

    // The final quad. Its unused low bits must be zero: every real encoder (Node's Buffer,
    // FileReader, java.util.Base64…) writes them so, and refusing the other spellings keeps
    // one canonical text per byte string, so decode-then-encode gives back the input.
    if (padding == 1) {
        const std::uint8_t a = base64_values[src[0]];
        const std::uint8_t b = base64_values[src[1]];
        const std::uint8_t c = base64_values[src[2]];
        if (((a | b | c) & not_base64) != 0 || (c & 0x03) != 0) {
            out.clear();
            return false;
        }
        const std::uint32_t v =
            (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6);
        dst[0] = static_cast<char>(v >> 16);
        dst[1] = static_cast<char>(v >> 8);
    } else if (padding == 2) {
        const std::uint8_t a = base64_values[src[0]];
        const std::uint8_t b = base64_values[src[1]];
        if (((a | b) & not_base64) != 0 || (b & 0x0f) != 0) {
            out.clear();
            return false;
        }
        dst[0] = static_cast<char>((a << 2) | (b >> 4));
    }
    return true;
}

}  // namespace switchboard::kernel::engineio
