// What the load generator prints. Results go to stdout, one tab-separated line each,
// for bench/run to pair Switchboard's with socket.io's by key; progress goes to stderr.
//
//   metric <TAB> key <TAB> value <TAB> unit <TAB> better <TAB> target <TAB> label
//
// better: "higher", "lower", or "info" (context, no ratio). target: "-",
// "ratio>=X" (Switchboard's advantage over socket.io) or "value<=X" (absolute).
#pragma once

#include <string>

#include "histogram.hpp"

namespace switchboard::bench {

struct metric {
    std::string key;     // stable across runs and servers: "fanout.ws.n1000.burst.deliveries_per_cpu_s"
    std::string label;   // for people, with N and rate: "Fan-out WS, N=1,000, ..."
    double value = 0;
    std::string unit;    // "B", "/s", "ms", "%"
    std::string better = "info";
    std::string target = "-";
};

void print(const metric& m);

// Progress and diagnostics on stderr, prefixed with the scenario's name.
void note(const std::string& scenario, const std::string& text);

// 12345 -> "12,345": labels read like the figures.
std::string grouped(std::uint64_t value);
std::string fixed(double value, int decimals);

// p50, p99 and p999 of `h` (nanoseconds) as three metrics in milliseconds.
void print_latency(const std::string& key, const std::string& label, const histogram& h,
                   const std::string& p99_target = "-");

}  // namespace switchboard::bench
