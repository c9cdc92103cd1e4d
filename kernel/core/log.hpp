// Logging: one record per line on stderr, as text ("time level [component] message
// key=value ...") or as one JSON object ({"time","level","component","message", fields}).
//
// Every component (engineio, cluster, a plugin's name...) logs at the global level
// unless log.levels gives it its own. A record is built only when its level is
// enabled for its component, so a disabled line costs one comparison when no
// component has its own level, and a short table lookup when some do: the message is
// never formatted. Lines are written with a single write() so records from several
// workers never interleave mid-line.
//
// Fields carry what a line is about (request_id, socket, namespace, user, plugin...)
// so people can search for every line of one request or one client. What a record
// must never carry: tokens, passwords, API keys and Engine.IO session ids (a session
// id lets anyone read and write a long-polling session); a session is named by the
// request id of its handshake instead.
#pragma once

#include <atomic>
#include <concepts>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::kernel::log {

enum class level : int { trace = 0, debug = 1, info = 2, warn = 3, error = 4, off = 5 };
enum class format : int { text = 0, json = 1 };

// Parses "trace".."error" and "off"; returns false for anything else.
bool parse_level(std::string_view text, level& out) noexcept;
// Parses "text" or "json".
bool parse_format(std::string_view text, format& out) noexcept;

// The global level, for every component without its own.
void set_level(level l) noexcept;
// Components with their own level (replaces earlier ones). Call before workers log:
// the table is read without a lock.
void set_component_levels(const std::vector<std::pair<std::string, level>>& levels);
void set_format(format f) noexcept;

// Where finished lines go (stderr by default); for tests.
using line_writer = void (*)(std::string_view line);
void set_writer(line_writer writer) noexcept;

namespace detail {
// The least severe level any component logs at: below it nothing is enabled.
inline std::atomic<int> floor_level{static_cast<int>(level::info)};
inline std::atomic<bool> per_component{false};
int level_of(std::string_view component) noexcept;
}  // namespace detail

inline bool enabled(level l, std::string_view component) noexcept {
    const int wanted = static_cast<int>(l);
    if (wanted < detail::floor_level.load(std::memory_order_relaxed)) return false;
    if (!detail::per_component.load(std::memory_order_relaxed)) return true;
    return wanted >= detail::level_of(component);
}

// A request id: the client's X-Request-Id when it is a plain token of at most 64
// characters (so a proxy's id carries through), a fresh one otherwise. Fresh ids are a
// per-process random prefix and a counter: unique across nodes, cheap to make.
std::string request_id_from(std::string_view client_supplied);

// One key=value of a record. Keys are string literals.
struct field {
    std::string_view key;
    std::string value;
    bool number = false;   // written unquoted in JSON
};

// Fields that several lines share (a socket's, a handler's), attached with
// record::with(const context&).
struct context {
    std::vector<field> fields;
    context& add(std::string_view key, std::string value) {
        if (!value.empty()) fields.push_back({key, std::move(value)});
        return *this;
    }
};

// What the handler running on this thread is about (its socket's fields and the
// event's name), added to every record the thread writes while it is set: a plugin's
// own log lines then say which request and socket they concern.
class thread_context {
public:
    thread_context(const context* fields, std::string_view event) noexcept;
    ~thread_context();
    thread_context(const thread_context&) = delete;
    thread_context& operator=(const thread_context&) = delete;

    struct about {
        const context* fields = nullptr;
        std::string_view event;
    };

private:
    about previous_;
};

// Collects one record and writes it when destroyed.
class record {
public:
    record(level l, std::string_view component);
    ~record();
    record(const record&) = delete;
    record& operator=(const record&) = delete;

    template <class T>
    record& operator<<(const T& value) {
        message_ << value;
        return *this;
    }

    // A field; empty values are left out.
    record& with(std::string_view key, std::string_view value);
    record& with(std::string_view key, const std::string& value) { return with(key, std::string_view(value)); }
    record& with(std::string_view key, const char* value) { return with(key, std::string_view(value)); }
    template <std::integral T>
    record& with(std::string_view key, T value) {
        fields_.push_back({key, std::to_string(value), true});
        return *this;
    }
    record& with(const context& shared);

private:
    level level_;
    std::string_view component_;
    std::ostringstream message_;
    std::vector<field> fields_;
};

// The finished line for one record (no trailing newline); exposed for tests.
std::string render(format f, std::string_view time, level l, std::string_view component, std::string_view message,
                   const std::vector<field>& fields);

}  // namespace switchboard::kernel::log

// SB_LOG(info, "engineio").with("request_id", rid) << "session closed: " << reason;
#define SB_LOG(LEVEL, COMPONENT)                                                                        \
    if (!::switchboard::kernel::log::enabled(::switchboard::kernel::log::level::LEVEL, COMPONENT)) {    \
    } else                                                                                              \
        ::switchboard::kernel::log::record(::switchboard::kernel::log::level::LEVEL, COMPONENT)
