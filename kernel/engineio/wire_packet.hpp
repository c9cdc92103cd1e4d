// An Engine.IO packet framed once for every transport, shared by all its recipients.
//
// `bytes` holds a WebSocket frame header followed by the Engine.IO packet: a text
// packet ("4" + Socket.IO text, "2" for a ping...) or, for binary, the raw bytes. A
// WebSocket session writes `bytes` whole; a polling session appends `packet()` to its
// payload (binary as 'b' + base64). A broadcast builds its wire packets once and every
// worker writes the same immutable buffers to its local members: no re-encoding and no
// copy per recipient.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/engineio/packet.hpp"

namespace switchboard::kernel::engineio {

class wire_packet {
public:
    // A text packet of `type` with `data` after the type digit.
    static std::shared_ptr<const wire_packet> text(packet_type type, std::string_view data = {});
    // A text `message` packet whose data is `data` (the usual Socket.IO case).
    static std::shared_ptr<const wire_packet> message(std::string_view data) {
        return text(packet_type::message, data);
    }
    // A binary `message` packet.
    static std::shared_ptr<const wire_packet> binary(std::string_view bytes);

    // Bytes written to a WebSocket as they are: a handshake response or a control frame.
    static std::shared_ptr<const wire_packet> raw(std::string_view bytes);

    // The whole WebSocket frame.
    std::string_view frame() const noexcept { return bytes_; }
    // The Engine.IO packet without the WebSocket header: the type digit and data for
    // text, the raw bytes for binary.
    std::string_view packet() const noexcept {
        return std::string_view(bytes_).substr(header_size_);
    }
    bool is_binary() const noexcept { return binary_; }
    std::size_t size() const noexcept { return bytes_.size(); }

protected:
    wire_packet() = default;

private:
    std::string bytes_;
    std::uint8_t header_size_ = 0;
    bool binary_ = false;
};

using wire_packet_ptr = std::shared_ptr<const wire_packet>;

// A Socket.IO packet on the wire: its text packet, then one binary packet per
// attachment. Most messages have exactly one part.
using wire_message = std::vector<wire_packet_ptr>;

}  // namespace switchboard::kernel::engineio
