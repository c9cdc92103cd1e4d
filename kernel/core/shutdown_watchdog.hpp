// Guarantees that a shutdown ends: if it has not finished by its deadline (a plugin
// handler stuck in a loop or a blocking call never returns, and joining its thread
// would wait forever), the watchdog logs what is still running and ends the process.
//
// Armed at the start of server::stop() and disarmed when stop() returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace switchboard::kernel {

class shutdown_watchdog {
public:
    // `running` describes what still runs (called on the watchdog's thread, so it must
    // be safe from any thread).
    shutdown_watchdog(std::chrono::steady_clock::duration timeout, std::function<std::vector<std::string>()> running);
    ~shutdown_watchdog();   // disarms
    shutdown_watchdog(const shutdown_watchdog&) = delete;
    shutdown_watchdog& operator=(const shutdown_watchdog&) = delete;

private:
    void watch(std::chrono::steady_clock::time_point deadline);

    std::function<std::vector<std::string>()> running_;
    std::mutex mutex_;
    std::condition_variable disarmed_cv_;
    bool disarmed_ = false;
    std::thread thread_;
};

}  // namespace switchboard::kernel
