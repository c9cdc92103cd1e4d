// The MessagePack wire format of socket.io-msgpack-parser (socketio.parser: msgpack).
//
// Each Socket.IO packet is one binary Engine.IO message: the MessagePack map
// {type, nsp, data, id} (notepack.io's encoding of the packet object; other keys, such as
// the client's `options`, are ignored). There are no attachments and no BINARY_* types:
// binary values are MessagePack `bin` values wherever they sit in `data`. Decoded, a
// packet looks exactly like one from the default parser (binary as json binary values),
// so plugins and scripts cannot tell the parsers apart.
#pragma once

#include <string>
#include <string_view>

#include "kernel/engineio/wire_packet.hpp"
#include "kernel/socketio/packet.hpp"

namespace switchboard::kernel::socketio::msgpack {

// One packet from a binary message. Validation follows socket.io-msgpack-parser's
// checkPacket (a known type, a string nsp, an integer id, the payload's shape) plus what
// the default decoder refuses too (reserved event names, nesting deeper than 128, ids
// past 2^63-1). Never throws.
decode_error decode(std::string_view bytes, packet& out);

// The MessagePack bytes of a packet (BINARY_* types are written as EVENT / ACK).
std::string encode(const packet& p);

// A message already written in the default format (a text packet and its attachments,
// as the broadcasts of text arguments and of other cluster nodes build them), rewritten
// as one MessagePack message. A message that does not decode stays as it is.
engineio::wire_message from_default_format(const engineio::wire_message& message);

}  // namespace switchboard::kernel::socketio::msgpack
