// Engine.IO v3 packets and polling payloads, for the clients `engineio.allow_eio3` lets in
// (socket.io-client 2.x and the native clients of that generation).
//
// What differs from v4 (socketio/engine.io-protocol, v3 and engine.io-parser 2.x):
//   - binary carries its packet type: a binary WebSocket frame is the type byte then the
//     bytes, a base64 text packet is 'b' + type digit + base64;
//   - a polling payload has no record separator: each packet is `<length>:<packet>`,
//     the length counted in UTF-16 code units (JavaScript's String length);
//   - a client that supports XHR2 (no `b64=1` in its handshake query) may get, and may
//     send with Content-Type application/octet-stream, binary payloads: per packet a
//     flag byte (0 text, 1 binary), the length as one byte per decimal digit, 0xFF, then
//     the packet (text as UTF-8 with its byte length; binary as the type byte and bytes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kernel/engineio/packet.hpp"
#include "kernel/engineio/wire_packet.hpp"

namespace switchboard::kernel::engineio::v3 {

// A text packet: a type digit and its data, or 'b' + type digit + base64 (binary).
decode_error decode_text(std::string_view text, packet& out);

// A binary WebSocket frame: the type byte, then the data.
decode_error decode_binary_frame(std::string_view bytes, packet& out);

// The binary WebSocket frame of a binary message (the type byte first): v3 sessions
// cannot share the v4 frames of a broadcast.
wire_packet_ptr binary_message(std::string_view bytes);

// A polling request body. `binary` is a body sent as application/octet-stream. An empty
// body, a broken length or a packet that does not decode refuses the whole body, as the
// reference does; `max_packets` bounds the work one request can cause.
decode_error decode_payload(std::string_view body, bool binary, std::vector<packet>& out,
                            std::size_t max_packets = 1024);

// A poll response carrying `packets`. With `binary_allowed` (the client did not ask for
// b64) and a binary packet among them, the binary payload format (`binary` set); else text.
struct payload {
    std::string body;
    bool binary = false;
};
payload encode_payload(const std::vector<wire_packet_ptr>& packets, bool binary_allowed);

// A text payload of one text packet ("1:6" for a noop).
std::string text_payload(std::string_view packet_text);

// The length JavaScript gives the UTF-16 form of this UTF-8 text.
std::size_t utf16_length(std::string_view utf8) noexcept;

}  // namespace switchboard::kernel::engineio::v3
