#include "kernel/core/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

namespace switchboard::kernel::log {

namespace {

constexpr std::string_view text_level_names[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR"};
constexpr std::string_view json_level_names[] = {"trace", "debug", "info", "warn", "error"};

std::atomic<int> global_level{static_cast<int>(level::info)};
std::atomic<int> current_format{static_cast<int>(format::text)};
// Written before the workers start (set_component_levels), read-only afterwards.
std::vector<std::pair<std::string, int>> component_levels;

void write_stderr(std::string_view line) {
    // One write per line: stderr is unbuffered and shared by every worker thread.
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}
std::atomic<line_writer> writer{&write_stderr};

thread_local thread_context::about handler_context;

void recompute_floor() {
    int floor = global_level.load(std::memory_order_relaxed);
    for (const auto& [name, l] : component_levels) floor = std::min(floor, l);
    detail::floor_level.store(floor, std::memory_order_relaxed);
    detail::per_component.store(!component_levels.empty(), std::memory_order_relaxed);
}

// The length of the valid UTF-8 sequence starting at `at`, or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byte(at);
    std::size_t length = 0;
    unsigned min = 0;
    unsigned code = 0;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2, code = lead & 0x1F, min = 0x80;
    else if (lead >= 0xE0 && lead <= 0xEF) length = 3, code = lead & 0x0F, min = 0x800;
    else if (lead >= 0xF0 && lead <= 0xF4) length = 4, code = lead & 0x07, min = 0x10000;
    else return 0;
    if (at + length > s.size()) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(at + i) & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return length;
}

// Client-supplied text (event names, addresses) ends up in messages: control
// characters are escaped so nobody can forge a line, and invalid UTF-8 becomes
// U+FFFD so every JSON line stays parseable.
void append_escaped(std::string& out, std::string_view s, bool json) {
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t length = utf8_sequence(s, i);
            if (length == 0) {
                out += "\xEF\xBF\xBD";
                ++i;
            } else {
                out.append(s.substr(i, length));
                i += length;
            }
            continue;
        }
        switch (c) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '"': out += json ? "\\\"" : "\""; break;
            case '\\': out += json ? "\\\\" : "\\"; break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, json ? "\\u%04x" : "\\x%02x", c);
                    out += escaped;
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    append_escaped(out, s, true);
    out += '"';
}

// A text field value is quoted when it would not read back as one token.
void append_text_value(std::string& out, std::string_view value) {
    const bool plain = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
        return c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20;
    });
    if (plain) return append_escaped(out, value, false);
    append_json_string(out, value);   // quotes and backslashes escaped, as a JSON string
}

// A key given twice (a record's own and its handler's context) is written once.
bool repeats_earlier_key(const std::vector<field>& fields, std::size_t i) {
    return std::any_of(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(i),
                       [&](const field& earlier) { return earlier.key == fields[i].key; });
}

std::string timestamp() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t seconds = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[40];
    const auto n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(millis));
    return stamp;
}

bool is_request_id_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
}

}  // namespace

bool parse_level(std::string_view text, level& out) noexcept {
    static constexpr std::pair<std::string_view, level> names[] = {
        {"trace", level::trace}, {"debug", level::debug}, {"info", level::info},
        {"warn", level::warn},   {"error", level::error}, {"off", level::off},
    };
    for (const auto& [name, value] : names) {
        if (name == text) {
            out = value;
            return true;
        }
    }
    return false;
}

bool parse_format(std::string_view text, format& out) noexcept {
    if (text == "text") out = format::text;
    else if (text == "json") out = format::json;
    else return false;
    return true;
}

void set_level(level l) noexcept {
    global_level.store(static_cast<int>(l), std::memory_order_relaxed);
    recompute_floor();
}

void set_component_levels(const std::vector<std::pair<std::string, level>>& levels) {
    component_levels.clear();
    for (const auto& [name, l] : levels) component_levels.emplace_back(name, static_cast<int>(l));
    recompute_floor();
}

void set_format(format f) noexcept { current_format.store(static_cast<int>(f), std::memory_order_relaxed); }

void set_writer(line_writer w) noexcept { writer.store(w ? w : &write_stderr); }

int detail::level_of(std::string_view component) noexcept {
    for (const auto& [name, l] : component_levels)
        if (name == component) return l;
    return global_level.load(std::memory_order_relaxed);
}

std::string request_id_from(std::string_view client_supplied) {
    if (!client_supplied.empty() && client_supplied.size() <= 64 &&
        std::all_of(client_supplied.begin(), client_supplied.end(), is_request_id_char))
        return std::string(client_supplied);
    static const std::string prefix = [] {
        std::random_device device;
        char text[16];
        std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(device()));
        return std::string(text);
    }();
    static std::atomic<std::uint64_t> next{1};
    char counter[24];
    std::snprintf(counter, sizeof counter, "-%llx",
                  static_cast<unsigned long long>(next.fetch_add(1, std::memory_order_relaxed)));
    return prefix + counter;
}

thread_context::thread_context(const context* fields, std::string_view event) noexcept
    : previous_(handler_context) {
    handler_context = {fields, event};
}

thread_context::~thread_context() { handler_context = previous_; }

record::record(level l, std::string_view component) : level_(l), component_(component) {}

record& record::with(std::string_view key, std::string_view value) {
    if (!value.empty()) fields_.push_back({key, std::string(value), false});
    return *this;
}

record& record::with(const context& shared) {
    fields_.insert(fields_.end(), shared.fields.begin(), shared.fields.end());
    return *this;
}

std::string render(format f, std::string_view time, level l, std::string_view component, std::string_view message,
                   const std::vector<field>& fields) {
    std::string line;
    line.reserve(96 + message.size());
    const auto level_index = std::clamp(static_cast<int>(l), 0, 4);
    if (f == format::json) {
        line += "{\"time\":";
        append_json_string(line, time);
        line += ",\"level\":";
        append_json_string(line, json_level_names[level_index]);
        line += ",\"component\":";
        append_json_string(line, component);
        line += ",\"message\":";
        append_json_string(line, message);
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (repeats_earlier_key(fields, i)) continue;
            const auto& [key, value, number] = fields[i];
            line += ',';
            append_json_string(line, key);
            line += ':';
            if (number) line += value;
            else append_json_string(line, value);
        }
        line += '}';
        return line;
    }
    line.append(time).append(" ").append(text_level_names[level_index]).append(" [").append(component).append("] ");
    append_escaped(line, message, false);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (repeats_earlier_key(fields, i)) continue;
        line.append(" ").append(fields[i].key).append("=");
        append_text_value(line, fields[i].value);
    }
    return line;
}

record::~record() {
    if (handler_context.fields) with(*handler_context.fields);
    if (!handler_context.event.empty()) with("event", handler_context.event);
    std::string line = render(static_cast<format>(current_format.load(std::memory_order_relaxed)), timestamp(), level_,
                              component_, std::move(message_).str(), fields_);
    line += '\n';
    writer.load()(line);
}

}  // namespace switchboard::kernel::log
