#include "report.hpp"

#include <cstdio>
#include <iostream>
#include <sstream>

namespace switchboard::bench {

void print(const metric& m) {
    char value[64];
    std::snprintf(value, sizeof value, "%.6g", m.value);
    std::cout << "metric\t" << m.key << '\t' << value << '\t' << m.unit << '\t' << m.better << '\t' << m.target
              << '\t' << m.label << std::endl;
}

void note(const std::string& scenario, const std::string& text) {
    std::cerr << "[loadgen " << scenario << "] " << text << std::endl;
}

std::string grouped(std::uint64_t value) {
    std::string digits = std::to_string(value);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(decimals);
    out << value;
    return out.str();
}

void print_latency(const std::string& key, const std::string& label, const histogram& h,
                   const std::string& p99_target) {
    const std::string samples = " (" + grouped(h.count()) + " samples)";
    print({key + ".p50_ms", label + ": p50" + samples, h.percentile(0.50) / 1e6, "ms", "lower"});
    print({key + ".p99_ms", label + ": p99" + samples, h.percentile(0.99) / 1e6, "ms", "lower", p99_target});
    print({key + ".p999_ms", label + ": p99.9" + samples, h.percentile(0.999) / 1e6, "ms", "lower"});
}

}  // namespace switchboard::bench
