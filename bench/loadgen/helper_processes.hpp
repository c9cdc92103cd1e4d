// More load generator processes for sessions than one process may hold: the descriptor
// hard limit (20,000 here) caps each process, the server's included, so the load
// generator puts the clients beyond one process's share in helpers. Each helper is this
// same binary running the `hold` scenario: it connects its clients, says "ready" on its
// stdout and keeps them (answering heartbeats) until its stdin closes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "client.hpp"

namespace switchboard::bench {

class helper_processes {
public:
    helper_processes() = default;
    ~helper_processes();   // releases and reaps every helper
    helper_processes(const helper_processes&) = delete;
    helper_processes& operator=(const helper_processes&) = delete;

    // Starts one helper holding `clients` sessions against `where`. False (and why in
    // failure()) when it cannot be started.
    bool start(const target& where, std::size_t clients, std::size_t in_flight);
    // Waits until every helper said ready, or one failed, or `timeout`.
    bool wait_ready(clock::duration timeout);
    // Tells every helper to close its sessions and waits for it to end.
    void release();

    std::size_t count() const noexcept { return helpers_.size(); }
    const std::string& failure() const noexcept { return failure_; }

private:
    struct helper {
        pid_t pid = -1;
        int to_helper = -1;     // its stdin: closing it releases the helper
        int from_helper = -1;   // its stdout: one line, "ready" or "failed: ..."
        bool ready = false;
    };
    std::vector<helper> helpers_;
    std::string failure_;
};

// The helper's side: connects `clients` sessions, reports, holds them until stdin closes.
int run_hold(const target& where, std::size_t clients, std::size_t in_flight);

}  // namespace switchboard::bench
