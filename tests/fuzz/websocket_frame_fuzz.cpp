// Fuzzes the WebSocket frame parser with arbitrary client bytes.
//
// Input layout: byte 0 seeds how the stream is cut into reads, bytes 1-2 give the
// message size limit (0-65535, small enough for the fuzzer to reach too_big), the rest
// is the stream. The same stream is parsed whole, byte by byte and in pseudo-random
// chunks; the messages and the final status must be identical, since a peer chooses
// where TCP splits its bytes. Alongside: is_valid_utf8 against a reference decoder
// written the slow, obvious way, and the writer's frames round-tripping the parser.
#include "kernel/net/websocket_frame.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace switchboard::kernel::net;

void check(bool condition) {
    if (!condition) std::abort();
}

struct event {
    ws_parse_status status;
    ws_opcode opcode;
    std::string payload;
    bool operator==(const event&) const = default;
};

struct outcome {
    std::vector<event> events;
    std::size_t left_in_buffer = 0;   // bytes of an unfinished frame, when no error
    std::size_t buffered = 0;         // bytes of an unfinished fragmented message
    bool operator==(const outcome&) const = default;
};

// A caller buffer of exactly its content's size, so the sanitizers see any read past
// the bytes that have arrived.
struct exact_buffer {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;

    void replace(std::string_view kept, std::string_view arrived) {
        auto fresh = std::make_unique<char[]>(kept.size() + arrived.size());
        if (!kept.empty()) std::memcpy(fresh.get(), kept.data(), kept.size());
        if (!arrived.empty()) std::memcpy(fresh.get() + kept.size(), arrived.data(), arrived.size());
        data = std::move(fresh);
        size = kept.size() + arrived.size();
    }
};

void check_message(const ws_frame_parser& parser, const ws_message& message, const char* buffer,
                   std::size_t size, std::size_t consumed, std::size_t max_message_size) {
    check(consumed > 0 && consumed <= size);
    const char* p = message.payload.data();
    const std::size_t n = message.payload.size();
    const bool in_buffer = n > 0 && p >= buffer && p < buffer + size;
    if (in_buffer) {
        check(p + n <= buffer + consumed);
    } else if (n > 0) {
        check(parser.buffered() == n);   // a joined fragmented message
    }
    switch (message.opcode) {
    case ws_opcode::text:
        check(is_valid_utf8(message.payload));
        [[fallthrough]];
    case ws_opcode::binary:
        check(n <= max_message_size);
        break;
    case ws_opcode::close:
        check(n != 1);
        [[fallthrough]];
    case ws_opcode::ping:
    case ws_opcode::pong:
        check(n <= 125);
        check(in_buffer || n == 0);
        break;
    default:
        check(false);
    }
}

// Feeds `stream` in chunks whose sizes come from `next_chunk`, as a connection would.
template <typename NextChunk>
outcome run(std::string_view stream, std::size_t max_message_size, NextChunk next_chunk) {
    ws_frame_parser parser(max_message_size);
    outcome result;
    exact_buffer buffer;
    std::size_t start = 0;   // of the bytes still in `buffer`
    std::size_t fed = 0;
    while (fed < stream.size()) {
        const std::size_t chunk = std::min(next_chunk(), stream.size() - fed);
        buffer.replace(std::string_view(buffer.data.get(), buffer.size).substr(start),
                       stream.substr(fed, chunk));
        start = 0;
        fed += chunk;
        for (;;) {
            char* const data = buffer.data.get() + start;
            const std::size_t size = buffer.size - start;
            std::size_t consumed = 0;
            ws_message message;
            const ws_parse_status status = parser.parse(data, size, consumed, message);
            if (status == ws_parse_status::message) {
                check_message(parser, message, data, size, consumed, max_message_size);
                result.events.push_back({status, message.opcode, std::string(message.payload)});
                start += consumed;
                continue;
            }
            if (status != ws_parse_status::need_more) {
                result.events.push_back({status, ws_opcode::continuation, {}});
                return result;
            }
            check(consumed <= size);
            start += consumed;
            // need_more means the parser did all it could: without new bytes, nothing moves.
            std::size_t again = 1;
            check(parser.parse(buffer.data.get() + start, buffer.size - start, again, message) ==
                  ws_parse_status::need_more);
            check(again == 0);
            break;
        }
    }
    result.left_in_buffer = buffer.size - start;
    result.buffered = parser.buffered();
    return result;
}

// The reference: decode each code point's value, then apply RFC 3629's rules to it.
bool reference_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length;
        std::uint32_t value;
        std::uint32_t minimum;
        if (lead < 0x80) {
            ++i;
            continue;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2, value = lead & 0x1F, minimum = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3, value = lead & 0x0F, minimum = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4, value = lead & 0x07, minimum = 0x10000;
        } else {
            return false;
        }
        if (text.size() - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto byte = static_cast<unsigned char>(text[i + k]);
            if ((byte & 0xC0) != 0x80) return false;
            value = (value << 6) | (byte & 0x3F);
        }
        if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

// A server frame turned into what a client would send: mask bit, key, masked payload.
std::string as_client_frame(std::string_view frame, const unsigned char* key) {
    const unsigned len7 = static_cast<unsigned char>(frame[1]) & 0x7F;
    const std::size_t header = len7 == 126 ? 4 : (len7 == 127 ? 10 : 2);
    std::string out(frame.substr(0, header));
    out[1] = static_cast<char>(out[1] | 0x80);
    out.append(reinterpret_cast<const char*>(key), 4);
    for (std::size_t i = header; i < frame.size(); ++i) {
        out += static_cast<char>(frame[i] ^ static_cast<char>(key[(i - header) % 4]));
    }
    return out;
}

ws_message parse_whole(std::string& frame, ws_parse_status expected) {
    ws_frame_parser parser(1 << 20);
    std::size_t consumed = 0;
    ws_message message;
    check(parser.parse(frame.data(), frame.size(), consumed, message) == expected);
    if (expected == ws_parse_status::message) check(consumed == frame.size());
    return message;
}

void check_writer(std::string_view bytes, const unsigned char* key) {
    std::string binary = as_client_frame(make_frame(ws_opcode::binary, bytes), key);
    check(parse_whole(binary, ws_parse_status::message).payload == bytes);

    // The reason is cut to fit 125 bytes; a UTF-8 reason must stay UTF-8 when cut.
    const std::string close = make_close_frame(ws_close_code::going_away, bytes);
    check(close.size() <= 2 + 125);
    check(std::string_view(close).substr(4) == bytes.substr(0, close.size() - 4));
    std::string echoed = as_client_frame(close, key);
    if (is_valid_utf8(bytes)) {
        check(parse_whole(echoed, ws_parse_status::message).payload.size() == close.size() - 2);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::uint8_t seed = data[0];
    const std::size_t max_message_size = (std::size_t{data[1]} << 8) | data[2];
    const std::string_view stream(reinterpret_cast<const char*>(data + 3), size - 3);

    check(is_valid_utf8(stream) == reference_utf8(stream));

    const outcome whole = run(stream, max_message_size, [&] { return stream.size(); });
    const outcome bytewise = run(stream, max_message_size, [] { return std::size_t{1}; });
    check(whole == bytewise);
    std::uint32_t state = 0x9E3779B9u ^ (std::uint32_t{seed} << 8) ^ static_cast<std::uint32_t>(size);
    const outcome chunked = run(stream, max_message_size, [&] {
        state ^= state << 13;   // xorshift32
        state ^= state >> 17;
        state ^= state << 5;
        // Mostly small reads, now and then a large one.
        return (state & 7) == 0 ? std::size_t{1} + (state >> 8) % 512 : std::size_t{1} + (state >> 8) % 16;
    });
    check(whole == chunked);

    const unsigned char key[4] = {seed, data[1], data[2], static_cast<unsigned char>(seed ^ 0x5A)};
    check_writer(stream, key);
    return 0;
}
