// Reads another process's CPU time and resident memory from /proc: the server's cost is
// measured from outside, the same way for Switchboard and for Node.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace switchboard::bench {

class process_probe {
public:
    // `database_root`, when not 0, is a database server in processes of its own
    // (PostgreSQL's postmaster): its CPU and its descendants' count as the server's,
    // since the server's work made them busy. `also` are more processes of the same
    // deployment (a cluster's other node, its redis-server): their CPU counts too.
    explicit process_probe(int pid, int database_root = 0, std::vector<int> also = {});

    int pid() const noexcept { return pid_; }
    bool counts_database() const noexcept { return database_root_ != 0; }
    // utime + stime of every thread of the server (and of the database's processes and
    // of `also`), in seconds (/proc/<pid>/stat); nullopt once one of them is gone.
    std::optional<double> cpu_seconds() const;
    // VmRSS (/proc/<pid>/status), in bytes.
    std::optional<std::uint64_t> rss_bytes() const;

private:
    std::optional<double> process_cpu_seconds(int pid, int* parent = nullptr) const;
    double database_cpu_seconds() const;

    int pid_;
    int database_root_;
    std::vector<int> also_;
    double seconds_per_tick_;
};

// This process's own CPU time (user + system), in seconds.
double own_cpu_seconds();

}  // namespace switchboard::bench
