// Socket.IO v5 packets: encoding, and a decoder that reassembles binary attachments.
//
// The wire format (socketio/socket.io-protocol, v5), carried in Engine.IO `message`
// packets:
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
// A BINARY_EVENT / BINARY_ACK is one text packet, whose payload holds placeholders
// {"_placeholder":true,"num":N}, followed by N binary Engine.IO messages.
//
// In a decoded packet, binary values are nlohmann `binary_t` values at the place of
// their placeholder; the encoder does the reverse, so callers never see placeholders.
// Validation follows the reference parser (socket.io-parser 4.2): anything it would
// reject is a `decode_error` here, and the caller closes that connection. A few things
// it lets through by accident are refused too, each noted at its error below (spaces
// read as numbers, EVENT / ACK / CONNECT_ERROR without the mandatory payload, ack ids
// past 2^63-1 that JavaScript would round).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace switchboard::kernel::socketio {

using json = nlohmann::json;

enum class packet_type : std::uint8_t {
    connect = 0,
    disconnect = 1,
    event = 2,
    ack = 3,
    connect_error = 4,
    binary_event = 5,
    binary_ack = 6,
};

inline constexpr std::int64_t no_ack_id = -1;

struct packet {
    packet_type type = packet_type::event;
    std::string nsp = "/";
    // The ack id, or `no_ack_id`.
    std::int64_t id = no_ack_id;
    // The payload; a discarded value (json::value_t::discarded) means "no payload".
    // For EVENT it is the array [name, args...]; for ACK the array of arguments.
    json data = json(json::value_t::discarded);
    // EVENT / ACK as the client wrote them (JSON parser; empty from msgpack): the
    // arguments as the text of a JSON array (for an EVENT without its name), the
    // placeholders intact, and the attachments in the placeholders' numbering. The
    // plugin host hands these on unchanged: key order, numbers and escapes survive.
    std::string args_text;
    std::vector<std::string> attachments;

    bool has_data() const noexcept { return !data.is_discarded(); }
};

enum class decode_error : std::uint8_t {
    none = 0,
    empty,                   // an empty message (the reference reads it as CONNECT "/")
    unknown_type,            // the first character is not '0'..'6'
    bad_attachments,         // a binary packet whose count is missing, not plain
                             // decimal, not followed by '-', or 0
    too_many_attachments,    // more attachments than the decoder allows
    bad_namespace,           // a namespace that is not valid UTF-8
    bad_ack_id,              // an ack id over INT64_MAX, or whitespace where an id may start
    bad_json,                // the payload is not valid JSON (stricter than JSON.parse
                             // on lone "\ud800" escapes and numbers past double range)
    invalid_payload,         // a payload of the wrong shape for its type, a reserved
                             // event name, a missing EVENT / ACK / CONNECT_ERROR
                             // payload, or nesting deeper than 128 levels
    unexpected_binary,       // a binary message while no attachments are awaited
    unexpected_text,         // a text message while attachments are still awaited
    bad_placeholder,         // a placeholder whose "num" is missing, not an integer, or
                             // not below the attachment count
    attachments_too_large,   // the attachments of one packet pass the byte bound
    decoded_too_large,       // placeholders naming the same attachment again and again:
                             // decoded, the packet would pass k x the bytes received
    bad_msgpack,             // (socketio.parser: msgpack) a message that is not one valid
                             // MessagePack packet {type, nsp, data, id}, or nested too deep
};

std::string_view to_string(decode_error error) noexcept;

// Whether `data` (discarded: no payload) is a valid payload for a packet of `type`, as
// the reference parsers check it: an object or nothing for CONNECT, nothing for
// DISCONNECT, a string or object for CONNECT_ERROR, an array for ACK, and for EVENT an
// array starting with a number or a name that is not reserved.
bool is_payload_valid(packet_type type, const json& data);

// True for event names that a client may not send (they are reserved for the
// library's own events): connect, connect_error, disconnect, disconnecting,
// newListener, removeListener.
bool is_reserved_event(std::string_view name) noexcept;

// A packet as it goes on the wire: the text message, then one binary message per
// attachment, in order.
struct encoded_packet {
    std::string text;
    std::vector<std::string> attachments;
};

// Encodes a packet. An EVENT or ACK whose data contains binary values is sent as
// BINARY_EVENT / BINARY_ACK with placeholders numbered depth first (object members in
// key order); the caller passes EVENT / ACK (a BINARY_* type is treated the same).
// Strings with invalid UTF-8 are written with U+FFFD instead of failing; never throws
// on the content of `data`. The namespace must not contain ',' (nothing could decode it).
encoded_packet encode(const packet& p);

// Arguments as text: a JSON array whose binary values are placeholders, and the
// attachments they name (what the SDK's C ABI carries both ways).
struct encoded_arguments {
    std::string text;
    std::vector<std::string> attachments;
};

// Arguments text that a plugin hands over to be sent (emit, ack) is checked, then
// spliced into the packet as it is. Valid: a JSON array (strict UTF-8, nesting within
// the decoder's bound), and with attachments, every placeholder names one that exists.
bool are_arguments_valid(std::string_view args_text, std::size_t attachment_count);

// An EVENT (`event` not empty) or ACK packet around arguments text that passed
// are_arguments_valid: BINARY_EVENT / BINARY_ACK when there are attachments.
encoded_packet encode_arguments(std::string_view nsp, std::int64_t id, std::string_view event,
                                encoded_arguments args);

// The elements of an arguments array's text, without its brackets ("" for "[]").
std::string_view arguments_inside(std::string_view args_text) noexcept;

// Payload work, counted for /metrics and the tests that show what an event costs:
// `parses` turn payload text into a tree (the decoder's, a check with placeholders),
// `dumps` turn a tree back into text (encode of a packet built from values).
struct payload_counters {
    std::atomic<std::uint64_t> parses{0};
    std::atomic<std::uint64_t> dumps{0};
};
payload_counters& payload_work() noexcept;
std::string payload_metrics_text();

// What one connection's decoder may hold. A client decides how much the server
// allocates for it only within these: bytes it sends, times a small constant.
struct decoder_limits {
    std::size_t max_attachments = 64;
    // The attachments of the binary packet being received, together (0: no bound).
    std::size_t max_attachment_bytes = 0;
    // A decoded packet (its text plus one copy of an attachment per placeholder naming
    // it) is at most this many times the bytes received for it. The reference shares
    // one buffer between placeholders; a tree of values copies, so a 1 MB attachment
    // named 300 times would cost 300 MB.
    std::size_t max_amplification = 2;
};

// Reassembles packets from Engine.IO messages, one connection's worth of state.
// A decoded packet is EVENT or ACK even when it came as BINARY_EVENT / BINARY_ACK.
// After any error the decoder is back to its initial state (nothing pending); the
// caller is expected to close the connection anyway.
class decoder {
public:
    explicit decoder(std::size_t max_attachments = 64) { limits_.max_attachments = max_attachments; }
    explicit decoder(const decoder_limits& limits) : limits_(limits) {}

    // Feeds a text message. `out` is emptied first; on success it holds the packet if
    // it is complete (a binary packet is complete only once all its attachments arrived).
    decode_error add_text(std::string_view text, std::optional<packet>& out);

    // Feeds a binary message: the next attachment of the pending binary packet.
    decode_error add_binary(std::string_view bytes, std::optional<packet>& out);

    // True while a binary packet waits for attachments.
    bool awaiting_attachments() const noexcept { return pending_ != nullptr; }
    // The namespace of the binary packet waiting for attachments (empty when none).
    std::string_view pending_namespace() const noexcept { return pending_ ? std::string_view(pending_->decoded.nsp) : std::string_view{}; }

    // Drops a partially received binary packet.
    void reset() noexcept;

private:
    decode_error finish_pending(std::optional<packet>& out);

    // A binary packet between its text and its last attachment. Behind a pointer: every
    // connection has a decoder, and almost none is ever midway through a binary packet
    // (an idle session would otherwise carry ~170 bytes of it).
    struct binary_in_progress {
        packet decoded;
        std::size_t expected_attachments = 0;
        std::size_t text_bytes = 0;         // of the packet's text message
        std::size_t attachment_bytes = 0;   // received so far
        // Kept as byte vectors so each one moves into the packet's json without a copy.
        std::vector<std::vector<std::uint8_t>> attachments;
    };

    decoder_limits limits_;
    std::unique_ptr<binary_in_progress> pending_;
};

}  // namespace switchboard::kernel::socketio
