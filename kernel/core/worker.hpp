// A worker: one thread running one io_context. Sessions live on one worker for their
// whole life; nothing here is shared with other workers except through post().
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "kernel/core/deadline_queue.hpp"

namespace switchboard::kernel {

class worker {
public:
    // Bytes read from sockets land here first and are parsed in place; a connection
    // keeps bytes of its own only for an incomplete frame, so idle connections hold no
    // read buffer at all.
    static constexpr std::size_t scratch_size = 64 * 1024;

    explicit worker(std::size_t index);
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    std::size_t index() const noexcept { return index_; }
    boost::asio::io_context& io() noexcept { return io_; }
    deadline_scheduler& deadlines() noexcept { return deadlines_; }
    char* scratch() noexcept { return scratch_->data(); }

    // Runs `fn` on this worker's thread (inline if already there).
    template <class Fn>
    void dispatch(Fn&& fn) {
        boost::asio::dispatch(io_, std::forward<Fn>(fn));
    }
    template <class Fn>
    void post(Fn&& fn) {
        boost::asio::post(io_, std::forward<Fn>(fn));
    }

    // Runs the loop on a new thread.
    void start();
    // Ends the loop (pending handlers are dropped); join() waits for the thread.
    void stop();
    void join();

    // True on this worker's thread.
    bool on_this_thread() const noexcept { return current() == this; }
    // The worker of the calling thread, or null off the workers.
    static worker* current() noexcept;

private:
    std::size_t index_;
    boost::asio::io_context io_{1};
    deadline_scheduler deadlines_{io_};
    std::unique_ptr<std::array<char, scratch_size>> scratch_ =
        std::make_unique<std::array<char, scratch_size>>();
    std::thread thread_;
};

}  // namespace switchboard::kernel
