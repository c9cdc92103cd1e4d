// The client side of Engine.IO v4 and Socket.IO v5, as much as the load generator
// speaks: text packets only, no binary attachments. Parsing the hot packets (fan-out
// ticks and acks) looks only at the fixed prefix the benchmark itself chose, so a
// delivery costs the load generator a few comparisons, not a JSON parse.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::bench::protocol {

// Engine.IO packet types: the first character of every packet.
inline constexpr char eio_open = '0';
inline constexpr char eio_close = '1';
inline constexpr char eio_ping = '2';
inline constexpr char eio_pong = '3';
inline constexpr char eio_message = '4';
inline constexpr char eio_noop = '6';

// Socket.IO packet types: the first character of an Engine.IO message's data.
inline constexpr char sio_connect = '0';
inline constexpr char sio_disconnect = '1';
inline constexpr char sio_event = '2';
inline constexpr char sio_ack = '3';
inline constexpr char sio_connect_error = '4';

// Polling payloads separate packets with the ASCII record separator.
inline constexpr char polling_separator = '\x1e';

// What the server's open packet carries.
struct open_info {
    std::string sid;
    std::chrono::milliseconds ping_interval{0};
    std::chrono::milliseconds ping_timeout{0};
};
std::optional<open_info> parse_open(std::string_view json_text);

// A Socket.IO packet, split but not decoded.
struct sio_packet {
    char type = 0;
    std::string_view nsp = "/";
    std::optional<std::uint64_t> ack_id;
    std::string_view data;   // JSON text, or empty
};
std::optional<sio_packet> parse_sio(std::string_view text);

// Socket.IO packets as the Engine.IO message data (without the leading '4').
// `auth` is the JSON object CONNECT carries ({"token":"..."}), or empty for none.
std::string connect_packet(std::string_view nsp, std::string_view auth = {});
// `json_array` is the whole array: ["event", arg, ...].
std::string event_packet(std::string_view nsp, std::optional<std::uint64_t> ack_id, std::string_view json_array);

// The integer right after `prefix` at the start of `text` (as in `["tick",123,...`).
std::optional<std::uint64_t> integer_after(std::string_view text, std::string_view prefix);

// `SEQ,"xxxx"`: the arguments of a benchmark event, padded so that the Engine.IO packet
// carrying `overhead` more bytes around them is `packet_size` bytes long.
std::string sized_arguments(std::uint64_t seq, std::size_t overhead, std::size_t packet_size);

// Calls f(packet) for each packet of a polling payload.
template <class F>
void for_each_polling_packet(std::string_view body, F&& f) {
    while (!body.empty()) {
        const auto end = body.find(polling_separator);
        f(body.substr(0, end));
        if (end == std::string_view::npos) break;
        body.remove_prefix(end + 1);
    }
}

}  // namespace switchboard::bench::protocol
