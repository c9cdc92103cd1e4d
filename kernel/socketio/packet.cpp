#include "kernel/socketio/packet.hpp"
#include "kernel/core/prometheus_text.hpp"
#include "kernel/socketio/placeholders.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace switchboard::kernel::socketio {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The code unit of a \uXXXX escape starting at text[i] (the backslash), or -1.
int escape_at(std::string_view text, std::size_t i) noexcept {
    if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
    int value = 0;
    for (std::size_t k = 2; k < 6; ++k) {
        const int digit = hex_value(text[i + k]);
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

// Rewrites \uD800-\uDFFF escapes that do not form a pair as \uFFFD. Backslashes are
// read pairwise, so "\\\\ud800" (an escaped backslash, then text) is left alone.
std::string replace_lone_surrogates(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 >= text.size()) {
            out += text[i];
            continue;
        }
        const int unit = escape_at(text, i);
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            const int next = escape_at(text, i + 6);
            if (next >= 0xDC00 && next <= 0xDFFF) {
                out.append(text.substr(i, 12));
                i += 11;
            } else {
                out += "\\uFFFD";
                i += 5;
            }
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            out += "\\uFFFD";
            i += 5;
        } else {
            out.append(text.substr(i, 2));   // any other escape, kept whole
            i += 1;
        }
    }
    return out;
}


// nlohmann's dump, DFS walks here and any code that walks a decoded payload recurse once
// per nesting level, so a client must not choose the depth (1 MB of '[' would overflow
// any thread's stack). Real payloads stay far below this; serde_json uses the same bound.
constexpr std::size_t max_payload_depth = 128;

// Never throws: strings built by plugins may hold invalid UTF-8, and an exception on
// the emit path would take down whatever was broadcasting.
std::string dump_json(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr bool is_json_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

constexpr std::array<std::string_view, 6> reserved_events{
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
};

enum class payload_scan : std::uint8_t { ok, too_deep, has_nul };

// One pass over the payload before nlohmann sees it, for two things its parser does not
// do: bound the nesting (brackets inside strings do not count), and refuse a raw NUL
// byte, where nlohmann stops reading as if the input ended, so that "[1]\0junk" would
// pass. A NUL is never valid in JSON text (inside strings it must be escaped). On text
// that is not JSON the depth is meaningless, which is fine: the parser refuses it.
payload_scan scan_payload(std::string_view text, std::size_t depth_limit) noexcept {
    std::size_t depth = 0;
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p != end) {
        const char c = *p++;
        if (c == '"') {
            while (p != end && *p != '"') {
                if (*p == '\\' && p + 1 != end) {
                    ++p;
                }
                if (*p++ == '\0') {
                    return payload_scan::has_nul;
                }
            }
            if (p != end) {
                ++p;
            }
        } else if (c == '[' || c == '{') {
            if (++depth > depth_limit) {
                return payload_scan::too_deep;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        } else if (c == '\0') {
            return payload_scan::has_nul;
        }
    }
    return payload_scan::ok;
}

// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). Namespaces are
// echoed verbatim, outside any JSON escaping, into every packet sent on them.
bool is_valid_utf8(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p != end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) {
                low = 0xA0;
            } else if (c == 0xED) {
                high = 0x9F;
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) {
                low = 0x90;
            } else if (c == 0xF4) {
                high = 0x8F;
            }
        } else {
            return false;
        }
        if (static_cast<std::size_t>(end - p) < length || p[1] < low || p[1] > high) {
            return false;
        }
        for (std::size_t i = 2; i < length; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF) {
                return false;
            }
        }
        p += length;
    }
    return true;
}

}  // namespace

// The reference parser's isPayloadValid, applied to the payload as written on the wire
// (a binary packet's placeholders are still objects at this point). Unlike the reference,
// EVENT, ACK and CONNECT_ERROR require a payload: the protocol makes it mandatory and the
// reference only lets a missing one through because it validates text it was given.
bool is_payload_valid(packet_type type, const json& data) {
    const bool present = !data.is_discarded();
    switch (type) {
    case packet_type::connect:
        return !present || data.is_object();
    case packet_type::disconnect:
        return !present;
    case packet_type::connect_error:
        return data.is_string() || data.is_object();
    case packet_type::event:
    case packet_type::binary_event: {
        if (!data.is_array() || data.empty()) {
            return false;
        }
        const json& name = data.front();
        if (name.is_number()) {
            return true;
        }
        return name.is_string() && !is_reserved_event(name.get_ref<const std::string&>());
    }
    case packet_type::ack:
    case packet_type::binary_ack:
        return data.is_array();
    }
    return false;
}

namespace {

// Reads a run of decimal digits starting at `pos` into `value`, saturating instead of
// overflowing. Returns false when there is no digit at `pos`.
bool read_decimal(std::string_view text, std::size_t& pos, std::uint64_t& value,
                  bool& overflow) noexcept {
    const std::size_t start = pos;
    value = 0;
    overflow = false;
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    while (pos < text.size() && is_digit(text[pos])) {
        const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
        if (value > (max - digit) / 10) {
            overflow = true;
        } else {
            value = value * 10 + digit;
        }
        ++pos;
    }
    return pos != start;
}

// The arguments of a valid EVENT payload (an array whose first element is a number or a
// string) as an array's text: the payload without its first element, the rest as
// written. "["a",{"k":1}]" gives "[{"k":1}]", "["a"]" gives "[]".
std::string event_arguments(std::string_view payload) {
    std::size_t pos = payload.find('[') + 1;
    while (is_json_space(payload[pos])) ++pos;
    if (payload[pos] == '"') {
        for (++pos; payload[pos] != '"'; ++pos)
            if (payload[pos] == '\\') ++pos;
        ++pos;
    } else {
        while (pos < payload.size() && !is_json_space(payload[pos]) && payload[pos] != ',' && payload[pos] != ']') ++pos;
    }
    while (is_json_space(payload[pos])) ++pos;
    if (payload[pos] == ']') return "[]";
    std::string out;
    out.reserve(payload.size() - pos);
    out += '[';
    out.append(payload.substr(pos + 1));   // after the ','
    return out;
}

// Parses one text message. `attachments` is the number of binary messages that must
// follow (0 for a plain packet).
decode_error parse_text(std::string_view text, std::size_t max_attachments, packet& p,
                        std::size_t& attachments) {
    attachments = 0;
    // The reference turns "" into a CONNECT (Number("") is 0); no client sends that, and
    // an empty Engine.IO message is more likely a broken peer than a namespace request.
    if (text.empty()) {
        return decode_error::empty;
    }
    if (text[0] < '0' || text[0] > '6') {
        return decode_error::unknown_type;
    }
    p.type = static_cast<packet_type>(text[0] - '0');
    std::size_t pos = 1;

    if (p.type == packet_type::binary_event || p.type == packet_type::binary_ack) {
        // The reference accepts anything JavaScript's Number() reads ("0x2", " 2", "2.0");
        // clients only ever write plain decimal, so that is all we take.
        std::uint64_t count = 0;
        bool overflow = false;
        if (!read_decimal(text, pos, count, overflow) || pos == text.size() ||
            text[pos] != '-' || count == 0) {
            return decode_error::bad_attachments;
        }
        if (overflow || count > max_attachments) {
            return decode_error::too_many_attachments;
        }
        ++pos;
        attachments = static_cast<std::size_t>(count);
    }

    // A namespace runs to the first ',' or to the end of the message ("0/admin").
    if (pos < text.size() && text[pos] == '/') {
        const std::size_t comma = text.find(',', pos);
        const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
        const std::string_view nsp = text.substr(pos, end - pos);
        if (!is_valid_utf8(nsp)) {
            return decode_error::bad_namespace;
        }
        p.nsp.assign(nsp);
        pos = comma == std::string_view::npos ? text.size() : comma + 1;
    }

    if (pos < text.size()) {
        if (is_digit(text[pos])) {
            std::uint64_t id = 0;
            bool overflow = false;
            read_decimal(text, pos, id, overflow);
            constexpr auto id_max =
                static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
            if (overflow || id > id_max) {
                return decode_error::bad_ack_id;
            }
            p.id = static_cast<std::int64_t>(id);
        } else if (is_json_space(text[pos])) {
            // The reference reads whitespace here as ack id 0 (Number(" ") is 0), while
            // JSON would skip it as padding: two readings of one packet, so refuse it.
            return decode_error::bad_ack_id;
        }
    }

    if (pos < text.size()) {
        const std::string_view payload = text.substr(pos);
        switch (scan_payload(payload, max_payload_depth)) {
        case payload_scan::ok:
            break;
        case payload_scan::too_deep:
            return decode_error::invalid_payload;
        case payload_scan::has_nul:
            return decode_error::bad_json;
        }
        payload_work().parses.fetch_add(1, std::memory_order_relaxed);
        p.data = json::parse(payload.begin(), payload.end(), nullptr, false);
        std::string repaired;
        if (p.data.is_discarded()) {
            // JSON.stringify writes a lone surrogate as an escape ("\ud83d"), which
            // JSON.parse accepts and nlohmann refuses; read it as U+FFFD, as Node does
            // when it turns such a string into UTF-8. Only on failure: no cost otherwise.
            // The arguments text passed on is the repaired one, so that every reader
            // (kernel, plugin, script) sees the same U+FFFD.
            repaired = replace_lone_surrogates(payload);
            if (repaired.size() == payload.size() && repaired == payload) return decode_error::bad_json;
            p.data = json::parse(repaired, nullptr, false);
            if (p.data.is_discarded()) return decode_error::bad_json;
        }
        if (!is_payload_valid(p.type, p.data)) return decode_error::invalid_payload;
        const std::string_view parsed = repaired.empty() ? payload : std::string_view(repaired);
        if (p.type == packet_type::event || p.type == packet_type::binary_event) {
            p.args_text = event_arguments(parsed);
        } else if (p.type == packet_type::ack || p.type == packet_type::binary_ack) {
            p.args_text.assign(parsed);
        }
    }

    if (pos >= text.size() && !is_payload_valid(p.type, p.data)) {
        return decode_error::invalid_payload;
    }
    // As in the reference, a decoded packet never has a BINARY_* type: the binary values
    // sit in `data`, and encode() picks the wire type again from them.
    if (p.type == packet_type::binary_event) {
        p.type = packet_type::event;
    } else if (p.type == packet_type::binary_ack) {
        p.type = packet_type::ack;
    }
    return decode_error::none;
}

// A placeholder's "num" as an attachment index. Any JSON number with an integral value
// counts (JavaScript sees 1.0 as 1); the reference would index with 0.5 and get undefined.
bool placeholder_index(const json& num, std::size_t count, std::size_t& index) noexcept {
    if (num.is_number_unsigned()) {
        const auto value = num.get<std::uint64_t>();
        if (value >= count) {
            return false;
        }
        index = static_cast<std::size_t>(value);
        return true;
    }
    if (num.is_number_integer()) {
        const auto value = num.get<std::int64_t>();
        if (value < 0 || static_cast<std::uint64_t>(value) >= count) {
            return false;
        }
        index = static_cast<std::size_t>(value);
        return true;
    }
    if (num.is_number_float()) {
        const double value = num.get<double>();
        if (!(value >= 0.0 && value < static_cast<double>(count)) || std::floor(value) != value) {
            return false;
        }
        index = static_cast<std::size_t>(value);
        return true;
    }
    return false;
}

// Replaces every {"_placeholder": true, ...} object with its attachment. An attachment is
// moved into the first placeholder naming it (the usual case: each is named once); later
// ones copy from that node, whose address stays put because only leaves are reassigned.
bool fill_placeholders(json& node, std::vector<std::vector<std::uint8_t>>& buffers,
                       std::vector<const json*>& placed) {
    if (node.is_array()) {
        for (json& element : node.get_ref<json::array_t&>()) {
            if (element.is_structured() && !fill_placeholders(element, buffers, placed)) {
                return false;
            }
        }
        return true;
    }
    if (!node.is_object()) {
        return true;
    }
    auto& object = node.get_ref<json::object_t&>();
    const auto marker = object.find("_placeholder");
    if (marker != object.end() && marker->second.is_boolean() && marker->second.get<bool>()) {
        const auto num = object.find("num");
        std::size_t index = 0;
        if (num == object.end() || !placeholder_index(num->second, buffers.size(), index)) {
            return false;
        }
        if (placed[index] == nullptr) {
            node = json::binary(std::move(buffers[index]));
            placed[index] = &node;
        } else {
            node = *placed[index];
        }
        return true;
    }
    for (auto& member : object) {
        if (member.second.is_structured() && !fill_placeholders(member.second, buffers, placed)) {
            return false;
        }
    }
    return true;
}

// Adds to `total` the bytes fill_placeholders would place: one attachment per
// placeholder, however often the same one is named. Validates the placeholders on the
// way, so nothing is allocated for a packet that is then refused.
bool placed_bytes(const json& node, const std::vector<std::vector<std::uint8_t>>& buffers,
                  std::size_t& total) noexcept {
    if (node.is_array()) {
        for (const json& element : node.get_ref<const json::array_t&>()) {
            if (element.is_structured() && !placed_bytes(element, buffers, total)) {
                return false;
            }
        }
        return true;
    }
    if (!node.is_object()) {
        return true;
    }
    const auto& object = node.get_ref<const json::object_t&>();
    const auto marker = object.find("_placeholder");
    if (marker != object.end() && marker->second.is_boolean() && marker->second.get<bool>()) {
        const auto num = object.find("num");
        std::size_t index = 0;
        if (num == object.end() || !placeholder_index(num->second, buffers.size(), index)) {
            return false;
        }
        total += buffers[index].size();
        return true;
    }
    for (const auto& member : object) {
        if (member.second.is_structured() && !placed_bytes(member.second, buffers, total)) {
            return false;
        }
    }
    return true;
}

bool contains_binary(const json& node) noexcept {
    return detail::contains_binary(node);
}

void write_with_placeholders(const json& node, std::string& out,
                             std::vector<std::string>& attachments) {
    detail::write_with_placeholders(node, out, attachments);
}

// "<nsp>," unless the main namespace, then the ack id if any.
void append_nsp_and_id(std::string& out, const packet& p) {
    if (!p.nsp.empty() && p.nsp != "/") {
        out += p.nsp;
        out += ',';
    }
    if (p.id >= 0) {
        std::array<char, 24> digits{};
        const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), p.id);
        out.append(digits.data(), result.ptr);
    }
}

}  // namespace

std::string_view to_string(decode_error error) noexcept {
    switch (error) {
    case decode_error::none: return "none";
    case decode_error::empty: return "empty";
    case decode_error::unknown_type: return "unknown_type";
    case decode_error::bad_attachments: return "bad_attachments";
    case decode_error::too_many_attachments: return "too_many_attachments";
    case decode_error::bad_namespace: return "bad_namespace";
    case decode_error::bad_ack_id: return "bad_ack_id";
    case decode_error::bad_json: return "bad_json";
    case decode_error::invalid_payload: return "invalid_payload";
    case decode_error::unexpected_binary: return "unexpected_binary";
    case decode_error::unexpected_text: return "unexpected_text";
    case decode_error::bad_placeholder: return "bad_placeholder";
    case decode_error::attachments_too_large: return "attachments_too_large";
    case decode_error::decoded_too_large: return "decoded_too_large";
    case decode_error::bad_msgpack: return "bad_msgpack";
    }
    return "unknown";
}

bool is_reserved_event(std::string_view name) noexcept {
    for (const std::string_view reserved : reserved_events) {
        if (name == reserved) {
            return true;
        }
    }
    return false;
}

encoded_packet encode(const packet& p) {
    encoded_packet out;
    const bool is_event = p.type == packet_type::event || p.type == packet_type::binary_event;
    const bool is_ack = p.type == packet_type::ack || p.type == packet_type::binary_ack;

    // Only EVENT / ACK carry binary (as the reference). The walk touches type tags only;
    // dump() cannot be told to emit placeholders, so it is the price of a single dump.
    if ((is_event || is_ack) && p.has_data() && contains_binary(p.data)) {
        std::string body;
        payload_work().dumps.fetch_add(1, std::memory_order_relaxed);
        write_with_placeholders(p.data, body, out.attachments);
        out.text += is_event ? '5' : '6';
        out.text += std::to_string(out.attachments.size());
        out.text += '-';
        append_nsp_and_id(out.text, p);
        out.text += body;
        return out;
    }

    // A BINARY_* type passed in with nothing binary left is written as plain EVENT / ACK:
    // "50-" would be refused by every reference decoder.
    packet_type type = p.type;
    if (is_event) {
        type = packet_type::event;
    } else if (is_ack) {
        type = packet_type::ack;
    }
    std::string header(1, static_cast<char>('0' + static_cast<int>(type)));
    append_nsp_and_id(header, p);
    if (!p.has_data()) {
        out.text = std::move(header);
        return out;
    }
    // dump() has no append-to-string form; the body is by far the longer part, so move
    // it and put the short header in front (usually in place, within its capacity).
    if (is_event || is_ack) payload_work().dumps.fetch_add(1, std::memory_order_relaxed);
    out.text = dump_json(p.data);
    out.text.insert(0, header);
    return out;
}

bool are_arguments_valid(std::string_view args_text, std::size_t attachment_count) {
    const auto first = args_text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || args_text[first] != '[') return false;
    if (scan_payload(args_text, max_payload_depth) != payload_scan::ok) return false;
    if (attachment_count == 0) return json::accept(args_text);
    // Placeholders are only checked in a tree; the text itself is still what is sent.
    payload_work().parses.fetch_add(1, std::memory_order_relaxed);
    const json tree = json::parse(args_text, nullptr, false);
    if (!tree.is_array()) return false;
    const std::vector<std::vector<std::uint8_t>> sizes_only(attachment_count);
    std::size_t total = 0;
    return placed_bytes(tree, sizes_only, total);
}

encoded_packet encode_arguments(std::string_view nsp, std::int64_t id, std::string_view event,
                                encoded_arguments args) {
    const std::string_view args_text = args.text;
    auto& attachments = args.attachments;
    encoded_packet out;
    const bool is_event = !event.empty();
    packet_type type = is_event ? packet_type::event : packet_type::ack;
    if (!attachments.empty()) type = is_event ? packet_type::binary_event : packet_type::binary_ack;
    out.text.reserve(args_text.size() + event.size() + nsp.size() + 32);
    out.text += static_cast<char>('0' + static_cast<int>(type));
    if (!attachments.empty()) {
        out.text += std::to_string(attachments.size());
        out.text += '-';
    }
    packet where;
    where.nsp = std::string(nsp);
    where.id = id;
    append_nsp_and_id(out.text, where);
    if (!is_event) {
        out.text.append(args_text);
    } else {
        out.text += '[';
        out.text += dump_json(json(event));
        const std::string_view inner = arguments_inside(args_text);
        if (!inner.empty()) {
            out.text += ',';
            out.text.append(inner);
        }
        out.text += ']';
    }
    out.attachments = std::move(attachments);
    return out;
}

std::string_view arguments_inside(std::string_view args_text) noexcept {
    constexpr std::string_view json_space = " \t\r\n";
    const auto open = args_text.find('[');
    if (open == std::string_view::npos) return {};
    const auto first = args_text.find_first_not_of(json_space, open + 1);
    const auto last = args_text.find_last_not_of(json_space);   // the closing ']'
    if (first == std::string_view::npos || last == std::string_view::npos || first >= last) return {};
    return args_text.substr(first, last - first);
}

payload_counters& payload_work() noexcept {
    static payload_counters counters;
    return counters;
}

std::string payload_metrics_text() {
    auto& work = payload_work();
    std::string out;
    prometheus::append_single(out, "switchboard_payload_parses_total", "counter",
                              "Event and ack payloads parsed from text into values by the kernel.",
                              work.parses.load(std::memory_order_relaxed));
    prometheus::append_single(out, "switchboard_payload_dumps_total", "counter",
                              "Event and ack payloads written from values back to text by the kernel.",
                              work.dumps.load(std::memory_order_relaxed));
    return out;
}

decode_error decoder::add_text(std::string_view text, std::optional<packet>& out) {
    out.reset();
    if (pending_) {
        reset();
        return decode_error::unexpected_text;
    }
    packet p;
    std::size_t attachments = 0;
    const decode_error error = parse_text(text, limits_.max_attachments, p, attachments);
    if (error != decode_error::none) {
        return error;
    }
    if (attachments == 0) {
        out.emplace(std::move(p));
        return decode_error::none;
    }
    pending_ = std::make_unique<binary_in_progress>();
    pending_->decoded = std::move(p);
    pending_->expected_attachments = attachments;
    pending_->text_bytes = text.size();
    pending_->attachments.reserve(attachments);
    return decode_error::none;
}

decode_error decoder::add_binary(std::string_view bytes, std::optional<packet>& out) {
    out.reset();
    if (!pending_) {
        return decode_error::unexpected_binary;
    }
    // Refused before the copy: announced attachments are held until the last arrives.
    if (limits_.max_attachment_bytes != 0 &&
        bytes.size() > limits_.max_attachment_bytes - pending_->attachment_bytes) {
        reset();
        return decode_error::attachments_too_large;
    }
    pending_->attachment_bytes += bytes.size();
    pending_->attachments.emplace_back(bytes.begin(), bytes.end());
    if (pending_->attachments.size() < pending_->expected_attachments) {
        return decode_error::none;
    }
    return finish_pending(out);
}

decode_error decoder::finish_pending(std::optional<packet>& out) {
    auto& in = *pending_;
    // As the reference, placeholders are checked once every attachment is in: only then
    // is the packet whole, and a bad one costs no more than a good one.
    std::size_t placed_total = 0;
    if (!placed_bytes(in.decoded.data, in.attachments, placed_total)) {
        reset();
        return decode_error::bad_placeholder;
    }
    const std::size_t received = in.text_bytes + in.attachment_bytes;
    if (in.text_bytes + placed_total > limits_.max_amplification * received) {
        reset();
        return decode_error::decoded_too_large;
    }
    // The client's attachments, in its numbering, for whoever passes the arguments text on.
    in.decoded.attachments.reserve(in.attachments.size());
    for (const auto& bytes : in.attachments) in.decoded.attachments.emplace_back(bytes.begin(), bytes.end());
    std::vector<const json*> placed(in.attachments.size(), nullptr);
    if (!fill_placeholders(in.decoded.data, in.attachments, placed)) {
        reset();
        return decode_error::bad_placeholder;
    }
    out.emplace(std::move(in.decoded));
    reset();
    return decode_error::none;
}

// A refused packet's buffers go now, not with the next one.
void decoder::reset() noexcept { pending_.reset(); }

}  // namespace switchboard::kernel::socketio
