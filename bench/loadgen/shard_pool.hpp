// The load generator's threads: each runs one io_context that carries many client
// connections, and nothing is shared between them but atomic counters. The scenario
// runs on the main thread and steps through its phases by posting work to the shards
// and polling their counters.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace switchboard::bench {

namespace asio = boost::asio;

class shard_pool {
public:
    explicit shard_pool(std::size_t threads);
    ~shard_pool();
    shard_pool(const shard_pool&) = delete;
    shard_pool& operator=(const shard_pool&) = delete;

    std::size_t size() const noexcept { return shards_.size(); }
    asio::io_context& io(std::size_t shard) { return shards_[shard]->io; }

    template <class F>
    void post(std::size_t shard, F&& f) {
        asio::post(shards_[shard]->io, std::forward<F>(f));
    }

    // Runs f on the shard's thread and waits for it: also the way to read a shard's
    // state safely from the main thread.
    void run_sync(std::size_t shard, const std::function<void()>& f);
    void run_sync_all(const std::function<void(std::size_t shard)>& f);

private:
    struct shard {
        asio::io_context io{1};
        asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
        std::thread thread;
    };
    std::vector<std::unique_ptr<shard>> shards_;
};

// Polls `done` every `step` until it holds or `timeout` passes; true if it held.
bool wait_until(const std::function<bool()>& done, std::chrono::steady_clock::duration timeout,
                std::chrono::steady_clock::duration step = std::chrono::milliseconds(2));

}  // namespace switchboard::bench
