// A WebSocket frame built once and shared, immutable, by every connection that writes it.
//
// `frame()` is the frame header followed by the payload. A WebSocket connection writes
// the frame whole; a transport without WebSocket framing (Engine.IO long-polling) uses
// `payload()`. A broadcast frames its message once and every worker writes the same
// buffer to its local members: no re-encoding and no copy per recipient.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace switchboard::kernel::net {

class framed_buffer;
using framed_buffer_ptr = std::shared_ptr<const framed_buffer>;

class framed_buffer {
public:
    // A text frame whose payload is `lead` followed by `data`: the caller's protocol
    // prefix (Engine.IO's type digit) goes in without a copy of `data` first.
    static framed_buffer_ptr text(std::string_view lead, std::string_view data);
    // A binary frame carrying `data`.
    static framed_buffer_ptr binary(std::string_view data);
    // Bytes written as they are: a handshake response, or a control frame already framed.
    static framed_buffer_ptr raw(std::string_view bytes);

    // The whole frame, header included.
    std::string_view frame() const noexcept { return bytes_; }
    // The frame's payload, without the header (all of it for a raw buffer).
    std::string_view payload() const noexcept { return std::string_view(bytes_).substr(header_size_); }
    bool is_binary() const noexcept { return binary_; }
    std::size_t size() const noexcept { return bytes_.size(); }

protected:
    framed_buffer() = default;

private:
    std::string bytes_;
    std::uint8_t header_size_ = 0;
    bool binary_ = false;
};

}  // namespace switchboard::kernel::net
