#include "kernel/core/usable_cpus.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace switchboard::kernel {

unsigned usable_cpus() noexcept {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
        const int count = CPU_COUNT(&allowed);
        if (count > 0) return static_cast<unsigned>(count);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace switchboard::kernel
