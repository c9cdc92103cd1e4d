// RFC 6455 framing, server side: parses masked client frames, writes unmasked frames.
//
// Switchboard frames WebSocket messages itself instead of using Beast's websocket
// stream for two reasons that matter at scale: a broadcast is framed once into a
// shared buffer that every recipient writes as is, and several queued frames leave in
// one gathered write. It also keeps an idle connection down to a few hundred bytes
// (no per-stream 4 KB write buffer).
//
// The parser is incremental and allocation-free: it reads from a caller-owned buffer,
// unmasks in place, and reports complete messages. Fragmented messages are joined in
// a per-connection buffer. Extensions (permessage-deflate) are never negotiated, so
// any RSV bit is a protocol error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::kernel::net {

enum class ws_opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Close codes the server sends (RFC 6455 section 7.4.1).
enum class ws_close_code : std::uint16_t {
    normal = 1000,
    going_away = 1001,
    protocol_error = 1002,
    invalid_payload = 1007,   // e.g. a text message that is not UTF-8
    too_big = 1009,
};

// The largest header a server frame can have: 2 + 8 bytes (no mask).
inline constexpr std::size_t ws_max_server_header = 10;

// Writes the header of one unmasked, final frame into `out` (at least
// ws_max_server_header bytes) and returns its length.
std::size_t write_frame_header(ws_opcode opcode, std::uint64_t payload_length,
                               std::uint8_t* out) noexcept;

// Returns a whole unmasked frame: header followed by payload.
std::string make_frame(ws_opcode opcode, std::string_view payload);

// A close frame carrying a code and a (short) reason.
std::string make_close_frame(ws_close_code code, std::string_view reason = {});

// One complete message, or a control frame, produced by the parser.
struct ws_message {
    ws_opcode opcode = ws_opcode::text;   // text, binary, close, ping or pong
    std::string_view payload;             // valid until the next call to parse()
};

enum class ws_parse_status : std::uint8_t {
    need_more,        // no complete message yet; all input was consumed or kept
    message,          // `message` holds a message; call parse() again for more
    protocol_error,   // a violation of RFC 6455 (unmasked frame, bad opcode, ...)
    too_big,          // a message larger than the maximum
    invalid_utf8,     // a text message that is not valid UTF-8
};

// Parses client frames from a byte stream, at most one message per call.
//
// The parser only ever takes whole frames: a frame whose bytes have not all arrived is
// left in the caller's buffer (need_more, nothing of it consumed) and its header is
// read again on the next call. That keeps the parser free of partial-frame state and
// lets an unfragmented message be returned in place. The caller's buffer must
// therefore be able to grow to one whole frame: at most 14 + max_message_size bytes.
// A frame that would exceed the limit is refused from its header alone (too_big), so
// the caller never buffers more than that.
//
// The limit applies to data messages (text, binary; a fragmented message counts as
// the sum of its fragments). Control frames are bounded by the RFC at 125 bytes.
//
// The outcome depends only on the byte stream, never on how it was split into reads.
// After any error status the connection is finished: the caller closes it (with
// ws_close_code::protocol_error, too_big or invalid_payload) and stops parsing.
class ws_frame_parser {
public:
    explicit ws_frame_parser(std::size_t max_message_size) : max_message_size_(max_message_size) {}

    // Parses from `data[0, size)`. Sets `consumed` to the bytes used (the caller drops
    // them from its buffer once it is done with the returned payload). Payloads are
    // unmasked in place, so a returned payload points into `data`, or into the parser's
    // fragment buffer for a fragmented message; it stays valid until the next call.
    // On need_more, `consumed` may be non-zero (fragments were absorbed), and the
    // parser has done all it can with the input: call again only with more bytes.
    // A close message's payload is returned whole (2-byte code + reason), already
    // checked: empty, or a valid code followed by a UTF-8 reason.
    ws_parse_status parse(char* data, std::size_t size, std::size_t& consumed,
                          ws_message& message);

    // Bytes held for a fragmented message (for memory accounting).
    std::size_t buffered() const noexcept { return fragments_.size(); }

private:
    std::size_t max_message_size_;
    std::string fragments_;                    // a fragmented message's data so far
    std::size_t utf8_checked_ = 0;             // prefix of fragments_ known to be UTF-8
    ws_opcode fragment_opcode_ = ws_opcode::continuation;
    bool in_fragmented_message_ = false;
    bool release_fragments_ = false;           // fragments_ was returned; free it next call
};

// True when `text` is valid UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

// The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (SHA-1 + base64).
std::string websocket_accept_key(std::string_view client_key);

}  // namespace switchboard::kernel::net
