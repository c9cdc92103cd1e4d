// Reads another process's CPU time and resident memory from /proc: the server's cost is
// measured from outside, the same way for Switchboard and for Node.
#pragma once

#include <cstdint>
#include <optional>

namespace switchboard::bench {

class process_probe {
public:
    explicit process_probe(int pid);

    int pid() const noexcept { return pid_; }
    // utime + stime of every thread, in seconds (/proc/<pid>/stat); nullopt once gone.
    std::optional<double> cpu_seconds() const;
    // VmRSS (/proc/<pid>/status), in bytes.
    std::optional<std::uint64_t> rss_bytes() const;

private:
    int pid_;
    double seconds_per_tick_;
};

// This process's own CPU time (user + system), in seconds.
double own_cpu_seconds();

}  // namespace switchboard::bench
