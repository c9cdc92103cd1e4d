// An Engine.IO packet framed once for every transport, shared by all its recipients.
//
// The buffer is net's pre-framed immutable frame: a WebSocket frame header followed by
// the Engine.IO packet, a text packet ("4" + Socket.IO text, "2" for a ping...) or, for
// binary, the raw bytes. A WebSocket session writes `frame()` whole; a polling session
// appends `payload()` to its response (binary as 'b' + base64).
#pragma once

#include <string_view>
#include <vector>

#include "kernel/engineio/packet.hpp"
#include "kernel/net/framed_buffer.hpp"

namespace switchboard::kernel::engineio {

using wire_packet_ptr = net::framed_buffer_ptr;

// A Socket.IO packet on the wire: its text packet, then one binary packet per
// attachment. Most messages have exactly one part.
using wire_message = std::vector<wire_packet_ptr>;

namespace wire_packet {

// A text packet of `type` with `data` after the type digit.
inline wire_packet_ptr text(packet_type type, std::string_view data = {}) {
    const char digit = static_cast<char>('0' + static_cast<int>(type));
    return net::framed_buffer::text(std::string_view(&digit, 1), data);
}
// A text `message` packet whose data is `data` (the usual Socket.IO case).
inline wire_packet_ptr message(std::string_view data) { return text(packet_type::message, data); }
// A binary `message` packet.
inline wire_packet_ptr binary(std::string_view bytes) { return net::framed_buffer::binary(bytes); }
// Bytes written to a WebSocket as they are: a handshake response or a control frame.
inline wire_packet_ptr raw(std::string_view bytes) { return net::framed_buffer::raw(bytes); }

}  // namespace wire_packet

}  // namespace switchboard::kernel::engineio
