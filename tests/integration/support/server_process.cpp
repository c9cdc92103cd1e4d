#include "support/server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace switchboard::tests::integration {

namespace {

// Binding port 0 and releasing it leaves a small race with other processes,
// acceptable for a test harness and far simpler than passing a socket down.
std::uint16_t pick_free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket(): ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        const std::string error = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("cannot find a free port: " + error);
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

bool accepts_connections(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return ok;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
    return "stopped";
}

std::unique_ptr<server_process>& current_server() {
    static std::unique_ptr<server_process> server;
    return server;
}

}  // namespace

std::unique_ptr<server_process> server_process::start(const std::string& command,
                                                      std::chrono::milliseconds ready_timeout) {
    std::unique_ptr<server_process> process(new server_process());
    process->port_ = pick_free_port();

    std::string log_template = "/tmp/switchboard_integration_XXXXXX.log";
    const int log_fd = ::mkstemps(log_template.data(), 4);
    if (log_fd < 0) throw std::runtime_error(std::string("cannot create the server log: ") + std::strerror(errno));
    process->log_path_ = log_template;

    const std::string command_line = command + " --port " + std::to_string(process->port_);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, log_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // Its own process group, so stop() reaches the shell and whatever it started.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);

    const char* argv[] = {"/bin/sh", "-c", command_line.c_str(), nullptr};
    const int rc =
        ::posix_spawn(&process->pid_, "/bin/sh", &actions, &attributes, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(log_fd);
    if (rc == 0) process->group_ = process->pid_;
    if (rc != 0) {
        process->pid_ = -1;
        throw std::runtime_error("cannot start '" + command_line + "': " + std::strerror(rc));
    }

    const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    while (!accepts_connections(process->port_)) {
        if (!process->running())
            throw std::runtime_error("the server under test (" + command_line + ") " + process->exit_description_ +
                                     " before accepting connections. Its output:\n" + process->log_tail());
        if (std::chrono::steady_clock::now() > deadline) {
            const auto tail = process->log_tail();
            process->stop();
            throw std::runtime_error("the server under test (" + command_line +
                                     ") did not accept connections on port " + std::to_string(process->port_) +
                                     " within " + std::to_string(ready_timeout.count()) + " ms. Its output:\n" + tail);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return process;
}

server_process::~server_process() { stop(); }

bool server_process::running() {
    if (pid_ < 0) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    exit_description_ = r == pid_ ? describe_status(status) : "vanished";
    pid_ = -1;
    return false;
}

std::string server_process::log_tail(std::size_t max_bytes) const {
    std::ifstream in(log_path_, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    auto text = content.str();
    if (text.size() > max_bytes) text = "[...]" + text.substr(text.size() - max_bytes);
    return text.empty() ? "(no output)" : text;
}

void server_process::stop() {
    if (group_ < 0) return;
    ::kill(-group_, SIGTERM);
    // Wait for the whole group: the shell may exit before a child it started.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (;;) {
        const bool shell_alive = running();
        const bool group_alive = ::kill(-group_, 0) == 0;
        if (!shell_alive && !group_alive) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-group_, SIGKILL);
            if (pid_ > 0) {
                int status = 0;
                ::waitpid(pid_, &status, 0);
                exit_description_ = describe_status(status);
                pid_ = -1;
            }
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    group_ = -1;
}

void server_process::remove_log() {
    if (!log_path_.empty()) ::unlink(log_path_.c_str());
}

void server_environment::SetUp() {
    const char* command = std::getenv(server_command_variable);
    if (command == nullptr || *command == '\0') {
        GTEST_FAIL()
            << server_command_variable
            << " is not set. Set it to the shell command that starts the server under test; the suite "
               "appends ' --port N'. For example:\n"
               "  SWITCHBOARD_TEST_SERVER=\"build/kernel/switchboard serve --config "
               "tests/integration/switchboard.yaml\" ./switchboard_integration_tests\n"
               "  SWITCHBOARD_TEST_SERVER=\"node /path/to/reference/server.js\" ./switchboard_integration_tests\n"
               "(ctest sets it when the switchboard_test_server target exists.)";
    }
    try {
        current_server() = server_process::start(command);
    } catch (const std::exception& e) {
        GTEST_FAIL() << e.what();
    }
    std::cerr << "[ server   ] '" << command << " --port " << current_server()->port() << "' (output in "
              << current_server()->log_path() << ")\n";
}

void server_environment::TearDown() {
    auto& server = current_server();
    if (!server) return;
    server->stop();
    const auto* unit = ::testing::UnitTest::GetInstance();
    if (unit->failed_test_count() == 0) {
        server->remove_log();
    } else {
        std::cerr << "[ server   ] output kept in " << server->log_path() << "; last lines:\n"
                  << server->log_tail() << "\n";
    }
    server.reset();
}

server_process& server_environment::server() {
    auto& server = current_server();
    if (!server) throw std::logic_error("the server under test is not running (environment SetUp failed)");
    return *server;
}

// gtest_main runs RUN_ALL_TESTS; registering here keeps that main usable.
[[maybe_unused]] ::testing::Environment* const registered_environment =
    ::testing::AddGlobalTestEnvironment(new server_environment);

}  // namespace switchboard::tests::integration
