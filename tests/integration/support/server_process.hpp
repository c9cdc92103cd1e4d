#pragma once

// Starts the server under test for the whole test binary.
//
// The command line comes from SWITCHBOARD_TEST_SERVER (run through /bin/sh)
// with " --port N" appended, N being a port the harness found free. The same
// suite therefore runs against Switchboard and against the Node reference.

#include <gtest/gtest.h>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace switchboard::tests::integration {

inline constexpr const char* server_command_variable = "SWITCHBOARD_TEST_SERVER";

class server_process {
public:
    // Spawns `command --port <free port>` in its own process group with stdout
    // and stderr captured to a temporary file, and waits until the port accepts
    // connections. Throws std::runtime_error (with the captured output) when
    // the server exits early or is not ready in time.
    static std::unique_ptr<server_process> start(const std::string& command,
                                                 std::chrono::milliseconds ready_timeout = std::chrono::seconds(10));
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;
    ~server_process();

    std::uint16_t port() const { return port_; }
    const std::string& log_path() const { return log_path_; }
    // False once the process has exited; `exit_description()` then says how.
    bool running();
    std::string exit_description() const { return exit_description_; }
    // The last `max_bytes` of what the server wrote to stdout/stderr.
    std::string log_tail(std::size_t max_bytes = 4000) const;
    // SIGTERM to the process group, SIGKILL after 3 s.
    void stop();
    void remove_log();

private:
    server_process() = default;

    pid_t pid_ = -1;    // the shell, until reaped
    pid_t group_ = -1;  // its process group, until stopped
    std::uint16_t port_ = 0;
    std::string log_path_;
    std::string exit_description_;
};

// One server per test binary, started before the first test.
class server_environment : public ::testing::Environment {
public:
    void SetUp() override;
    void TearDown() override;

    // The running server; only valid between SetUp and TearDown.
    static server_process& server();
};

}  // namespace switchboard::tests::integration
