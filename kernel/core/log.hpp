// Logging: one line per record on stderr, "time level [component] message".
//
// A record is built with a stream only when its level is enabled, so a disabled
// debug line costs one comparison. Lines are written with a single write() so records
// from several workers never interleave mid-line.
#pragma once

#include <atomic>
#include <sstream>
#include <string_view>

namespace switchboard::kernel::log {

enum class level : int { trace = 0, debug = 1, info = 2, warn = 3, error = 4, off = 5 };

// Parses "trace".."error"; returns false for anything else.
bool parse_level(std::string_view text, level& out) noexcept;

void set_level(level l) noexcept;

inline std::atomic<int> current_level{static_cast<int>(level::info)};

inline bool enabled(level l) noexcept {
    return static_cast<int>(l) >= current_level.load(std::memory_order_relaxed);
}

// Collects one record and writes it when destroyed.
class record {
public:
    record(level l, std::string_view component);
    ~record();
    record(const record&) = delete;
    record& operator=(const record&) = delete;

    template <class T>
    record& operator<<(const T& value) {
        stream_ << value;
        return *this;
    }

private:
    std::ostringstream stream_;
};

}  // namespace switchboard::kernel::log

// SB_LOG(info, "engineio") << "session " << sid << " closed: " << reason;
#define SB_LOG(LEVEL, COMPONENT)                                                          \
    if (!::switchboard::kernel::log::enabled(::switchboard::kernel::log::level::LEVEL)) { \
    } else                                                                                \
        ::switchboard::kernel::log::record(::switchboard::kernel::log::level::LEVEL, COMPONENT)
