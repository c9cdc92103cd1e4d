#include "kernel/net/framed_buffer.hpp"

#include "kernel/net/websocket_frame.hpp"

namespace switchboard::kernel::net {

namespace {

// make_shared cannot reach the protected constructor.
struct constructible_framed_buffer : framed_buffer {};

}  // namespace

framed_buffer_ptr framed_buffer::text(std::string_view lead, std::string_view data) {
    auto result = std::make_shared<constructible_framed_buffer>();
    std::uint8_t header[ws_max_server_header];
    const std::size_t header_size = write_frame_header(ws_opcode::text, lead.size() + data.size(), header);
    auto& bytes = result->bytes_;
    bytes.reserve(header_size + lead.size() + data.size());
    bytes.append(reinterpret_cast<const char*>(header), header_size);
    bytes.append(lead);
    bytes.append(data);
    result->header_size_ = static_cast<std::uint8_t>(header_size);
    return result;
}

framed_buffer_ptr framed_buffer::binary(std::string_view data) {
    auto result = std::make_shared<constructible_framed_buffer>();
    std::uint8_t header[ws_max_server_header];
    const std::size_t header_size = write_frame_header(ws_opcode::binary, data.size(), header);
    auto& bytes = result->bytes_;
    bytes.reserve(header_size + data.size());
    bytes.append(reinterpret_cast<const char*>(header), header_size);
    bytes.append(data);
    result->header_size_ = static_cast<std::uint8_t>(header_size);
    result->binary_ = true;
    return result;
}

framed_buffer_ptr framed_buffer::raw(std::string_view bytes) {
    auto result = std::make_shared<constructible_framed_buffer>();
    result->bytes_.assign(bytes);
    return result;
}

}  // namespace switchboard::kernel::net
