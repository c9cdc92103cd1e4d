#include "kernel/engineio/wire_packet.hpp"

#include "kernel/net/websocket_frame.hpp"

namespace switchboard::kernel::engineio {

namespace {

// make_shared cannot reach the private constructor.
struct constructible_wire_packet : wire_packet {};

}  // namespace

std::shared_ptr<const wire_packet> wire_packet::text(packet_type type, std::string_view data) {
    auto result = std::make_shared<constructible_wire_packet>();
    std::uint8_t header[net::ws_max_server_header];
    const std::size_t header_size =
        net::write_frame_header(net::ws_opcode::text, data.size() + 1, header);
    auto& bytes = result->bytes_;
    bytes.reserve(header_size + 1 + data.size());
    bytes.append(reinterpret_cast<const char*>(header), header_size);
    bytes.push_back(static_cast<char>('0' + static_cast<int>(type)));
    bytes.append(data);
    result->header_size_ = static_cast<std::uint8_t>(header_size);
    return result;
}

std::shared_ptr<const wire_packet> wire_packet::binary(std::string_view data) {
    auto result = std::make_shared<constructible_wire_packet>();
    std::uint8_t header[net::ws_max_server_header];
    const std::size_t header_size =
        net::write_frame_header(net::ws_opcode::binary, data.size(), header);
    auto& bytes = result->bytes_;
    bytes.reserve(header_size + data.size());
    bytes.append(reinterpret_cast<const char*>(header), header_size);
    bytes.append(data);
    result->header_size_ = static_cast<std::uint8_t>(header_size);
    result->binary_ = true;
    return result;
}

std::shared_ptr<const wire_packet> wire_packet::raw(std::string_view bytes) {
    auto result = std::make_shared<constructible_wire_packet>();
    result->bytes_.assign(bytes);
    return result;
}

}  // namespace switchboard::kernel::engineio
