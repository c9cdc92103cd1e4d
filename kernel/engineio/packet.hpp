// Engine.IO v4 packets and the long-polling payload format.
//
// The wire format (socketio/engine.io-protocol, v4):
//   a text packet is one ASCII digit (the type) followed by its data;
//   over WebSocket a binary frame is a `message` packet whose data is the raw bytes;
//   over long-polling, packets are joined by the record separator 0x1e and a binary
//   packet is written as 'b' followed by the base64 of its bytes.
//
// Everything here works on views, allocates only for the decoded data, and reports
// bad input through `decode_error` instead of throwing: it sits on the network path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::kernel::engineio {

enum class packet_type : std::uint8_t {
    open = 0,
    close = 1,
    ping = 2,
    pong = 3,
    message = 4,
    upgrade = 5,
    noop = 6,
};

struct packet {
    packet_type type = packet_type::message;
    // True for binary data: a binary WebSocket frame or a 'b'-prefixed polling packet.
    bool binary = false;
    // The packet's data: UTF-8 text after the type digit, or the decoded bytes.
    std::string data;
};

enum class decode_error : std::uint8_t {
    none = 0,
    empty,              // a zero-length packet, body or payload segment
    unknown_type,       // the first character is neither '0'..'6' nor 'b'
    bad_base64,         // a 'b' packet whose data is not valid base64
    too_large,          // a payload larger than the configured maximum
    too_many_packets,   // a polling payload with more packets than allowed
};

std::string_view to_string(decode_error error) noexcept;

// Decodes one text packet: a WebSocket text frame, or one segment of a polling payload.
// A text starting with 'b' is a base64 binary message (out.binary = true): polling always
// sends binary that way, and engine.io-client also does over WebSocket with `forceBase64`.
// A lone "b" is an empty binary message. On error `out` is left unspecified.
decode_error decode_text(std::string_view text, packet& out);

// A binary WebSocket frame is always a `message` packet carrying those bytes.
packet make_binary_message(std::string_view bytes);

// Decodes a long-polling request body into packets. `max_packets` bounds the work one
// request can cause; a body over it is refused whole (nothing is delivered). `out` is
// cleared first and holds packets only on success. An empty body or an empty segment
// (leading, trailing or doubled separator) is `empty`. The body's byte size is the
// transport's to bound (`too_large`), before it calls this.
decode_error decode_payload(std::string_view body, std::vector<packet>& out,
                            std::size_t max_packets = 1024);

// Encodes one packet as text: the type digit followed by its data.
// Binary packets are not valid here; use `append_to_payload` for polling.
std::string encode_text(packet_type type, std::string_view data = {});

// Appends a packet to a polling payload under construction, inserting the record
// separator when `payload` is not empty. Binary data is written as 'b' + base64 and
// `type` is ignored for it (v4 binary is always a message). Text data must not contain
// 0x1e: the format has no escape for it (Socket.IO's JSON never produces a raw one).
void append_to_payload(std::string& payload, packet_type type, std::string_view data,
                       bool binary);

// Base64 (RFC 4648, standard alphabet, with padding), as used by polling for binary
// packets. `base64_decode` returns false (and clears `out`) on any invalid input: a
// character outside the alphabet, a length not a multiple of 4, misplaced padding, or
// non-zero unused bits in the last quad (so each byte string has exactly one spelling).
std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string& out);

}  // namespace switchboard::kernel::engineio
