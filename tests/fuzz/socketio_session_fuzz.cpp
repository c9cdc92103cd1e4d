// libFuzzer target for the decoder's budgets (issue #10): whole sessions of text and
// binary messages, as one connection would send them, under randomly chosen limits.
//
// Input: byte 0 picks max_amplification (1..4), byte 1 max_attachment_bytes (64 bytes
// to 16 KiB, or unbounded); the rest is messages separated by 0x1e, a message starting
// with 0x01 being binary (the bytes after it), any other text.
//
// Properties, any violation aborts:
// - the binary bytes a decoded packet holds, plus its text, are at most
//   max_amplification times the bytes received for it (text and attachments): however
//   its placeholders repeat, a client cannot make the server hold more than that;
// - the attachments received for one packet never pass max_attachment_bytes when it
//   is set (the packet is refused first);
// - the codec never throws.
#include "kernel/socketio/packet.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string_view>

namespace sio = switchboard::kernel::socketio;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "socketio_session_fuzz: %s\n", what);
    std::abort();
}

// Bytes of every binary value in `value`, however nested.
std::size_t binary_bytes(const sio::json& value) {
    if (value.is_binary()) return value.get_binary().size();
    std::size_t total = 0;
    if (value.is_structured())
        for (const auto& element : value) total += binary_bytes(element);
    return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    sio::decoder_limits limits;
    limits.max_amplification = 1 + data[0] % 4;
    limits.max_attachment_bytes = data[1] == 0 ? 0 : std::size_t{64} << (data[1] % 9);
    const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

    sio::decoder decoder(limits);
    std::size_t received = 0;              // bytes of the packet being received
    std::size_t attachments_received = 0;  // of which attachments
    try {
        std::size_t start = 0;
        while (start <= input.size()) {
            const auto end = input.find('\x1e', start);
            std::string_view message = input.substr(start, end == std::string_view::npos ? end : end - start);
            start = end == std::string_view::npos ? input.size() + 1 : end + 1;
            const bool binary = !message.empty() && message.front() == '\x01';
            if (binary) message.remove_prefix(1);
            if (!binary && !decoder.awaiting_attachments()) {
                received = 0;
                attachments_received = 0;
            }
            received += message.size();
            if (binary) attachments_received += message.size();
            std::optional<sio::packet> out;
            const auto error = binary ? decoder.add_binary(message, out) : decoder.add_text(message, out);
            if (error != sio::decode_error::none) {
                if (out) fail("a packet handed out with an error");
                continue;
            }
            if (decoder.awaiting_attachments() && limits.max_attachment_bytes != 0 &&
                attachments_received > limits.max_attachment_bytes)
                fail("attachments held past max_attachment_bytes");
            if (!out) continue;
            // The text message is part of `received`; the decoded packet holds at most
            // its text again (the JSON is parsed from it) plus the binary values.
            const std::size_t text = received - attachments_received;
            if (text + binary_bytes(out->data) > limits.max_amplification * received)
                fail("a decoded packet past max_amplification x the bytes received");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "socketio_session_fuzz: threw %s\n", e.what());
        std::abort();
    }
    return 0;
}
