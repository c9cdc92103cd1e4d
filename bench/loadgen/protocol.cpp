#include "protocol.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace switchboard::bench::protocol {

std::optional<open_info> parse_open(std::string_view json_text) {
    const auto parsed = nlohmann::json::parse(json_text, nullptr, false);
    if (!parsed.is_object()) return std::nullopt;
    const auto sid = parsed.find("sid");
    if (sid == parsed.end() || !sid->is_string()) return std::nullopt;
    open_info out;
    out.sid = sid->get<std::string>();
    out.ping_interval = std::chrono::milliseconds(parsed.value("pingInterval", 0));
    out.ping_timeout = std::chrono::milliseconds(parsed.value("pingTimeout", 0));
    return out;
}

std::optional<sio_packet> parse_sio(std::string_view text) {
    if (text.empty() || text.front() < '0' || text.front() > '6') return std::nullopt;
    sio_packet out;
    out.type = text.front();
    text.remove_prefix(1);
    // Binary packets carry an attachment count before a '-'; the load generator sends
    // none, but skips the count if a server ever sends one.
    if (out.type == '5' || out.type == '6') {
        const auto dash = text.find('-');
        if (dash == std::string_view::npos) return std::nullopt;
        text.remove_prefix(dash + 1);
    }
    if (!text.empty() && text.front() == '/') {
        const auto comma = text.find(',');
        out.nsp = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    if (!text.empty() && text.front() >= '0' && text.front() <= '9') {
        std::uint64_t id = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc{}) return std::nullopt;
        out.ack_id = id;
        text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    }
    out.data = text;
    return out;
}

namespace {

void append_nsp(std::string& out, std::string_view nsp) {
    if (nsp.empty() || nsp == "/") return;
    out += nsp;
    out += ',';
}

}  // namespace

std::string connect_packet(std::string_view nsp, std::string_view auth) {
    std::string out(1, sio_connect);
    append_nsp(out, nsp);
    out += auth;
    return out;
}

std::string event_packet(std::string_view nsp, std::optional<std::uint64_t> ack_id, std::string_view json_array) {
    std::string out(1, sio_event);
    append_nsp(out, nsp);
    if (ack_id) out += std::to_string(*ack_id);
    out += json_array;
    return out;
}

std::optional<std::uint64_t> integer_after(std::string_view text, std::string_view prefix) {
    if (!text.starts_with(prefix)) return std::nullopt;
    text.remove_prefix(prefix.size());
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{}) return std::nullopt;
    return value;
}

std::string sized_arguments(std::uint64_t seq, std::size_t overhead, std::size_t packet_size) {
    std::string out = std::to_string(seq);
    out += ",\"";
    const std::size_t fixed = overhead + out.size() + 1;
    if (packet_size > fixed) out.append(packet_size - fixed, 'x');
    out += '"';
    return out;
}

}  // namespace switchboard::bench::protocol
