#include "kernel/net/websocket_frame.hpp"

#include <openssl/sha.h>

#include <bit>
#include <cstring>

namespace switchboard::kernel::net {

namespace {

constexpr std::uint64_t high_bits = 0x8080808080808080ull;

std::uint64_t load_u64(const unsigned char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);   // an unaligned load on every target we build for
    return v;
}

void store_u64(unsigned char* p, std::uint64_t v) noexcept { std::memcpy(p, &v, sizeof v); }

std::uint64_t load_be(const unsigned char* p, std::size_t n) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

// Masking is the only per-byte work the parser does on every message, so it runs a
// word at a time: four words per round lets the compiler keep them in registers (or
// vectorize). The key repeats every 4 bytes, and the payload starts at key byte 0, so
// any 8-byte window starting at a multiple of 8 sees the same doubled key — whatever
// the host's byte order.
void unmask(unsigned char* p, std::size_t n, const unsigned char* key) noexcept {
    std::uint32_t key32;
    std::memcpy(&key32, key, sizeof key32);
    const std::uint64_t key64 = (std::uint64_t{key32} << 32) | key32;
    std::size_t i = 0;
    for (; n - i >= 32; i += 32) {
        store_u64(p + i, load_u64(p + i) ^ key64);
        store_u64(p + i + 8, load_u64(p + i + 8) ^ key64);
        store_u64(p + i + 16, load_u64(p + i + 16) ^ key64);
        store_u64(p + i + 24, load_u64(p + i + 24) ^ key64);
    }
    for (; n - i >= 8; i += 8) store_u64(p + i, load_u64(p + i) ^ key64);
    for (; i < n; ++i) p[i] ^= key[i & 3];
}

struct utf8_scan_result {
    bool valid;              // no invalid byte seen (a truncated tail is not invalid)
    std::size_t complete;    // bytes up to the start of an incomplete last sequence
};

// One scanner serves both the whole-message check and fragmented text, where a
// character may straddle two fragments: it stops before an incomplete last sequence
// instead of failing, but still rejects that sequence early if the bytes present
// already rule it out (so "F4 90" fails without waiting for the rest, as Autobahn's
// fail-fast cases expect).
utf8_scan_result scan_utf8(const unsigned char* p, std::size_t n) noexcept {
    std::size_t i = 0;
    while (i < n) {
        // Socket.IO traffic is mostly ASCII JSON: skip it two words at a time.
        if (n - i >= 16 && ((load_u64(p + i) | load_u64(p + i + 8)) & high_bits) == 0) {
            i += 16;
            continue;
        }
        if (n - i >= 8) {
            const std::uint64_t high = load_u64(p + i) & high_bits;
            if (high == 0) {
                i += 8;
                continue;
            }
            if constexpr (std::endian::native == std::endian::little) {
                i += static_cast<std::size_t>(std::countr_zero(high)) / 8;
            }
        }
        const unsigned lead = p[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        // RFC 3629 table 4: the second byte's range excludes overlongs (E0, F0),
        // surrogates (ED) and code points above U+10FFFF (F4); C0, C1 and F5..FF never
        // start a valid sequence.
        std::size_t trail;
        unsigned second_min = 0x80;
        unsigned second_max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            trail = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            trail = 2;
            if (lead == 0xE0) second_min = 0xA0;
            if (lead == 0xED) second_max = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            trail = 3;
            if (lead == 0xF0) second_min = 0x90;
            if (lead == 0xF4) second_max = 0x8F;
        } else {
            return {false, i};
        }
        const std::size_t present = n - i - 1;
        for (std::size_t k = 1; k <= trail; ++k) {
            if (k > present) return {true, i};
            const unsigned byte = p[i + k];
            const bool ok = k == 1 ? byte >= second_min && byte <= second_max
                                   : (byte & 0xC0) == 0x80;
            if (!ok) return {false, i};
        }
        i += trail + 1;
    }
    return {true, n};
}

bool is_utf8(const unsigned char* p, std::size_t n) noexcept {
    const utf8_scan_result r = scan_utf8(p, n);
    return r.valid && r.complete == n;
}

bool is_valid_close_code(unsigned code) noexcept {
    // 1004-1006 and 1015 are reserved and must never appear on the wire; 1012-1014
    // are registered with IANA (restart, try again later, bad gateway). 3000-4999
    // belong to libraries and applications.
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

ws_parse_status check_close_payload(const unsigned char* p, std::size_t n) noexcept {
    if (n == 0) return ws_parse_status::message;
    if (n == 1) return ws_parse_status::protocol_error;
    if (!is_valid_close_code(static_cast<unsigned>(load_be(p, 2)))) {
        return ws_parse_status::protocol_error;
    }
    if (!is_utf8(p + 2, n - 2)) return ws_parse_status::invalid_utf8;
    return ws_parse_status::message;
}

std::string base64_encode(const unsigned char* p, std::size_t n) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    std::size_t i = 0;
    for (; n - i >= 3; i += 3) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (n - i == 1) {
        const std::uint32_t v = std::uint32_t{p[i]} << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (n - i == 2) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

}  // namespace

std::size_t write_frame_header(ws_opcode opcode, std::uint64_t payload_length,
                               std::uint8_t* out) noexcept {
    out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode));
    if (payload_length <= 125) {
        out[1] = static_cast<std::uint8_t>(payload_length);
        return 2;
    }
    std::size_t width;
    if (payload_length <= 0xFFFF) {
        out[1] = 126;
        width = 2;
    } else {
        out[1] = 127;
        width = 8;
    }
    for (std::size_t i = 0; i < width; ++i) {
        out[1 + width - i] = static_cast<std::uint8_t>(payload_length >> (8 * i));
    }
    return 2 + width;
}

std::string make_frame(ws_opcode opcode, std::string_view payload) {
    std::uint8_t header[ws_max_server_header];
    const std::size_t header_size = write_frame_header(opcode, payload.size(), header);
    std::string frame(header_size + payload.size(), '\0');
    std::memcpy(frame.data(), header, header_size);
    if (!payload.empty()) std::memcpy(frame.data() + header_size, payload.data(), payload.size());
    return frame;
}

std::string make_close_frame(ws_close_code code, std::string_view reason) {
    // A control frame carries at most 125 bytes, 2 of them the code. Cutting the reason
    // inside a multi-byte character would make the client fail the close with 1007.
    constexpr std::size_t max_reason = 125 - 2;
    if (reason.size() > max_reason) {
        std::size_t cut = max_reason;
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
        reason = reason.substr(0, cut);
    }
    const auto value = static_cast<std::uint16_t>(code);
    std::string payload;
    payload.reserve(2 + reason.size());
    payload += static_cast<char>(value >> 8);
    payload += static_cast<char>(value & 0xFF);
    payload += reason;
    return make_frame(ws_opcode::close, payload);
}

ws_parse_status ws_frame_parser::parse(char* data, std::size_t size, std::size_t& consumed,
                                       ws_message& message) {
    consumed = 0;
    if (release_fragments_) {
        // Give the memory back: fragmented messages are rare and an idle connection
        // should not keep the largest one it ever received.
        std::string().swap(fragments_);
        utf8_checked_ = 0;
        release_fragments_ = false;
    }
    auto* const bytes = reinterpret_cast<unsigned char*>(data);

    // Each check runs as soon as the bytes it needs are present, in stream order, so a
    // frame is judged the same however it was split across reads.
    for (;;) {
        unsigned char* const frame = bytes + consumed;
        const std::size_t available = size - consumed;
        if (available < 1) return ws_parse_status::need_more;

        const unsigned byte0 = frame[0];
        const bool fin = (byte0 & 0x80) != 0;
        const unsigned op = byte0 & 0x0F;
        if ((byte0 & 0x70) != 0) return ws_parse_status::protocol_error;
        bool control = false;
        switch (op) {
        case 0x0:
            if (!in_fragmented_message_) return ws_parse_status::protocol_error;
            break;
        case 0x1:
        case 0x2:
            if (in_fragmented_message_) return ws_parse_status::protocol_error;
            break;
        case 0x8:
        case 0x9:
        case 0xA:
            if (!fin) return ws_parse_status::protocol_error;
            control = true;
            break;
        default:
            return ws_parse_status::protocol_error;
        }

        if (available < 2) return ws_parse_status::need_more;
        const unsigned byte1 = frame[1];
        if ((byte1 & 0x80) == 0) return ws_parse_status::protocol_error;   // clients must mask
        std::uint64_t length = byte1 & 0x7F;
        if (control && length > 125) return ws_parse_status::protocol_error;
        std::size_t header_size = 2;
        if (length == 126) {
            if (available < 4) return ws_parse_status::need_more;
            length = load_be(frame + 2, 2);
            header_size = 4;
        } else if (length == 127) {
            if (available < 10) return ws_parse_status::need_more;
            length = load_be(frame + 2, 8);
            if ((length >> 63) != 0) return ws_parse_status::protocol_error;
            header_size = 10;
        }
        if (!control) {
            // fragments_ never exceeds the limit, so this cannot wrap; and once it passes,
            // length fits in size_t even where size_t is 32 bits.
            const std::size_t so_far = in_fragmented_message_ ? fragments_.size() : 0;
            if (length > max_message_size_ - so_far) return ws_parse_status::too_big;
        }
        if (available - header_size < 4 || available - header_size - 4 < length) {
            return ws_parse_status::need_more;
        }

        unsigned char* const payload = frame + header_size + 4;
        const auto payload_size = static_cast<std::size_t>(length);
        unmask(payload, payload_size, frame + header_size);
        const std::string_view body(reinterpret_cast<const char*>(payload), payload_size);
        const std::size_t frame_size = header_size + 4 + payload_size;

        if (control) {
            if (op == 0x8) {
                const ws_parse_status status = check_close_payload(payload, payload_size);
                if (status != ws_parse_status::message) return status;
            }
            consumed += frame_size;
            message.opcode = static_cast<ws_opcode>(op);
            message.payload = body;
            return ws_parse_status::message;
        }

        if (fin && op != 0x0) {
            if (op == 0x1 && !is_utf8(payload, payload_size)) {
                return ws_parse_status::invalid_utf8;
            }
            consumed += frame_size;
            message.opcode = static_cast<ws_opcode>(op);
            message.payload = body;
            return ws_parse_status::message;
        }

        if (op != 0x0) {
            in_fragmented_message_ = true;
            fragment_opcode_ = static_cast<ws_opcode>(op);
        }
        fragments_.append(body);
        consumed += frame_size;
        if (fragment_opcode_ == ws_opcode::text) {
            // Checked as fragments arrive, so bad text fails before the rest is buffered
            // and the final check only has the last fragment left to scan.
            const auto* const text = reinterpret_cast<const unsigned char*>(fragments_.data());
            const utf8_scan_result r =
                scan_utf8(text + utf8_checked_, fragments_.size() - utf8_checked_);
            if (!r.valid) return ws_parse_status::invalid_utf8;
            utf8_checked_ += r.complete;
            if (fin && utf8_checked_ != fragments_.size()) return ws_parse_status::invalid_utf8;
        }
        if (!fin) continue;

        in_fragmented_message_ = false;
        release_fragments_ = true;
        message.opcode = fragment_opcode_;
        message.payload = fragments_;
        return ws_parse_status::message;
    }
}

bool is_valid_utf8(std::string_view text) noexcept {
    return is_utf8(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

std::string websocket_accept_key(std::string_view client_key) {
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input;
    input.reserve(client_key.size() + guid.size());
    input += client_key;
    input += guid;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    return base64_encode(digest, sizeof digest);
}

}  // namespace switchboard::kernel::net
