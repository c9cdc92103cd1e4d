#include "process_probe.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>

namespace switchboard::bench {

process_probe::process_probe(int pid, int database_root, std::vector<int> also)
    : pid_(pid),
      database_root_(database_root),
      also_(std::move(also)),
      seconds_per_tick_(1.0 / static_cast<double>(sysconf(_SC_CLK_TCK))) {}

std::optional<double> process_probe::cpu_seconds() const {
    auto total = process_cpu_seconds(pid_);
    if (!total) return total;
    for (const int pid : also_) {
        const auto cpu = process_cpu_seconds(pid);
        if (!cpu) return std::nullopt;
        *total += *cpu;
    }
    if (database_root_ != 0) *total += database_cpu_seconds();
    return total;
}

// The root and every live process below it (PostgreSQL's backends, checkpointer, WAL
// writer...): a backend that exits within the window takes its CPU with it, which is
// why connections are pooled on both sides.
double process_probe::database_cpu_seconds() const {
    std::map<int, int> parent_of;
    std::map<int, double> cpu_of;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const int pid = std::stoi(name);
        int parent = 0;
        if (const auto cpu = process_cpu_seconds(pid, &parent)) {
            parent_of[pid] = parent;
            cpu_of[pid] = *cpu;
        }
    }
    double total = 0;
    for (const auto& [pid, cpu] : cpu_of) {
        for (int p = pid, depth = 0; p > 1 && depth < 16; ++depth) {
            if (p == database_root_) {
                total += cpu;
                break;
            }
            const auto up = parent_of.find(p);
            if (up == parent_of.end()) break;
            p = up->second;
        }
    }
    return total;
}

std::optional<double> process_probe::process_cpu_seconds(int pid, int* parent) const {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    // The command name (field 2) may hold spaces and parentheses: fields are counted
    // from the last ')'. utime and stime are fields 14 and 15.
    const auto paren = line.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(paren + 2));
    std::string skip;
    int ppid = 0;
    fields >> skip >> ppid;   // state, ppid (fields 3 and 4)
    if (parent) *parent = ppid;
    for (int field = 5; field < 14; ++field) fields >> skip;
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
