// The handler pool: threads that run plugin handlers which may block.
//
// Each socket gets its own strand on the pool, so its events are handled one at a
// time and in order, while a handler blocked on the database holds up only its own
// socket's queue, never other sockets'.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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
    // `what` names the task while it runs (for the report of a stuck shutdown).
    void post(std::function<void()> task, const std::shared_ptr<strand>& s = nullptr, std::string what = {});

    boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }

    // True on one of the pool's threads.
    static bool on_pool_thread() noexcept;

    // Waits for queued tasks and stops the threads.
    void stop();

    // The tasks running now, each as "what (running for N ms)": at a shutdown that
    // cannot finish, the log says which handler holds it up.
    std::vector<std::string> running() const;

private:
    struct running_task {
        std::string what;
        std::chrono::steady_clock::time_point since;
    };

    boost::asio::thread_pool pool_;
    mutable std::mutex running_mutex_;
    std::list<running_task> running_;
};

}  // namespace switchboard::kernel::plugins
