// How many CPUs this process may run on: its affinity mask (taskset, a container's
// cpuset), not every CPU the machine has, which std::thread::hardware_concurrency()
// counts. Thread-count defaults are sized from it: a server pinned to one core gets
// threads for one core. (A cgroup CPU quota, cpu.max, is not read: set the counts in
// the deployment file where one applies.)
#pragma once

namespace switchboard::kernel {

unsigned usable_cpus() noexcept;

}  // namespace switchboard::kernel
