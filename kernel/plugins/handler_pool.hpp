// The handler pool: threads that run plugin handlers which may block.
//
// Each socket gets its own strand on the pool, so its events are handled one at a
// time and in order, while a handler blocked on the database holds up only its own
// socket's queue, never other sockets'.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

namespace switchboard::kernel::plugins {

class handler_pool {
public:
    using strand = boost::asio::strand<boost::asio::thread_pool::executor_type>;

    explicit handler_pool(unsigned threads);
    ~handler_pool();

    // A new strand (kept with the socket it serializes).
    std::shared_ptr<strand> make_strand();

    // Runs `task` on the pool, on `s` when given (in order with its other tasks).
    void post(std::function<void()> task, const std::shared_ptr<strand>& s = nullptr);

    boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }

    // True on one of the pool's threads.
    static bool on_pool_thread() noexcept;

    // Waits for queued tasks and stops the threads.
    void stop();

private:
    boost::asio::thread_pool pool_;
};

}  // namespace switchboard::kernel::plugins
