#include "process_probe.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace switchboard::bench {

process_probe::process_probe(int pid)
    : pid_(pid), seconds_per_tick_(1.0 / static_cast<double>(sysconf(_SC_CLK_TCK))) {}

std::optional<double> process_probe::cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    // The command name (field 2) may hold spaces and parentheses: fields are counted
    // from the last ')'. utime and stime are fields 14 and 15.
    const auto paren = line.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(paren + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    unsigned long long utime = 0, stime = 0;
    if (!(fields >> utime >> stime)) return std::nullopt;
    return static_cast<double>(utime + stime) * seconds_per_tick_;
}

std::optional<std::uint64_t> process_probe::rss_bytes() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("VmRSS:")) continue;
        std::istringstream value(line.substr(6));
        std::uint64_t kib = 0;
        if (value >> kib) return kib * 1024;
    }
    return std::nullopt;
}

double own_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace switchboard::bench
