#include "kernel/core/log.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <string>

namespace switchboard::kernel::log {

namespace {

constexpr std::string_view level_names[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR"};

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

void set_level(level l) noexcept { current_level.store(static_cast<int>(l), std::memory_order_relaxed); }

record::record(level l, std::string_view component) {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t seconds = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    const auto n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    stream_.write(stamp, static_cast<std::streamsize>(n));
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03dZ ", static_cast<int>(millis));
    stream_ << fraction << level_names[static_cast<int>(l)] << " [" << component << "] ";
}

record::~record() {
    stream_ << '\n';
    const std::string line = std::move(stream_).str();
    // One write per line: stderr is unbuffered and shared by every worker thread.
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace switchboard::kernel::log
