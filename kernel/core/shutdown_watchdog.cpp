#include "kernel/core/shutdown_watchdog.hpp"

#include <cstdlib>

#include "kernel/core/log.hpp"

namespace switchboard::kernel {

shutdown_watchdog::shutdown_watchdog(std::chrono::steady_clock::duration timeout,
                                     std::function<std::vector<std::string>()> running)
    : running_(std::move(running)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    thread_ = std::thread([this, deadline] { watch(deadline); });
}

shutdown_watchdog::~shutdown_watchdog() {
    {
        std::lock_guard lock(mutex_);
        disarmed_ = true;
    }
    disarmed_cv_.notify_all();
    thread_.join();
}

void shutdown_watchdog::watch(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    if (disarmed_cv_.wait_until(lock, deadline, [this] { return disarmed_; })) return;
    lock.unlock();
    const auto running = running_ ? running_() : std::vector<std::string>{};
    SB_LOG(error, "server") << "shutdown did not finish in time; " << running.size()
                            << " handler(s) still running, exiting anyway";
    for (const auto& what : running) SB_LOG(error, "server") << "still running: " << what;
    // No destructors, no atexit handlers: they would join the stuck threads. Log lines
    // are already written (one write() each).
    std::_Exit(1);
}

}  // namespace switchboard::kernel
