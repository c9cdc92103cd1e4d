#include "kernel/core/worker.hpp"

#include <boost/asio/dispatch.hpp>

namespace switchboard::kernel {

namespace {
thread_local worker* current_worker = nullptr;
}

worker::worker(std::size_t index) : index_(index) {}

worker* worker::current() noexcept { return current_worker; }

void worker::start() {
    thread_ = std::thread([this] {
        current_worker = this;
        // The guard keeps run() alive while the worker merely waits for connections.
        auto guard = boost::asio::make_work_guard(io_);
        io_.run();
        current_worker = nullptr;
    });
}

void worker::stop() { io_.stop(); }

void worker::join() {
    if (thread_.joinable()) thread_.join();
}

}  // namespace switchboard::kernel
