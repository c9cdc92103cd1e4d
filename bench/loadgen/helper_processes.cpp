#include "helper_processes.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>

#include "fleet.hpp"
#include "report.hpp"

namespace switchboard::bench {

helper_processes::~helper_processes() {
    release();
}

bool helper_processes::start(const target& where, std::size_t clients, std::size_t in_flight) {
    int in[2], out[2];
    if (pipe(in) != 0) return failure_ = std::string("pipe: ") + std::strerror(errno), false;
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        return failure_ = std::string("pipe: ") + std::strerror(errno), false;
    }
    // Everything exec needs is built before fork: the child only dups and execs.
    const std::string port = std::to_string(where.endpoint.port());
    const std::string host = where.endpoint.address().to_string();
    const std::string count = std::to_string(clients), flight = std::to_string(in_flight);
    std::vector<std::string> words = {"/proc/self/exe", "hold", "--host", host, "--port", port, "--clients", count,
                                      "--connect-in-flight", flight, "--server-pid", "1"};
    if (!where.auth.empty()) {
        words.push_back("--auth");
        words.push_back(where.auth);
    }
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
        failure_ = std::string("fork: ") + std::strerror(errno);
        for (const int fd : {in[0], in[1], out[0], out[1]}) close(fd);
        return false;
    }
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    helpers_.push_back({pid, in[1], out[0], false});
    return true;
}

bool helper_processes::wait_ready(clock::duration timeout) {
    const auto deadline = clock::now() + timeout;
    for (auto& h : helpers_) {
        std::string line;
        while (!h.ready) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
            if (left <= 0) return failure_ = "a helper process was not ready in time", false;
            pollfd p{h.from_helper, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
            char c = 0;
            if (read(h.from_helper, &c, 1) != 1) return failure_ = "a helper process ended: " + line, false;
            if (c != '\n') {
                line += c;
                continue;
            }
            if (line != "ready") return failure_ = "a helper process: " + line, false;
            h.ready = true;
        }
    }
    return true;
}

void helper_processes::release() {
    for (auto& h : helpers_) close(h.to_helper);
    for (auto& h : helpers_) {
        int status = 0;
        waitpid(h.pid, &status, 0);
        close(h.from_helper);
    }
    helpers_.clear();
}

int run_hold(const target& where, std::size_t clients, std::size_t in_flight) {
    shard_pool pool(1);
    fleet held(pool, where, transport::websocket);
    if (!held.connect(clients, in_flight, std::chrono::seconds(120))) {
        std::cout << "failed: " << held.failure() << std::endl;
        return 1;
    }
    std::cout << "ready" << std::endl;
    // Until the parent closes our stdin.
    char c;
    while (read(STDIN_FILENO, &c, 1) > 0) {
    }
    const bool lost = held.failed() > 0;
    if (lost) note("hold", grouped(held.failed()) + " sessions lost while held: " + held.failure());
    held.close_all(std::chrono::seconds(10));
    return lost ? 1 : 0;
}

}  // namespace switchboard::bench
