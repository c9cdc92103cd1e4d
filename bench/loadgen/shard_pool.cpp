#include "shard_pool.hpp"

namespace switchboard::bench {

shard_pool::shard_pool(std::size_t threads) {
    if (threads == 0) threads = 1;
    for (std::size_t i = 0; i < threads; ++i) {
        auto s = std::make_unique<shard>();
        s->thread = std::thread([io = &s->io] { io->run(); });
        shards_.push_back(std::move(s));
    }
}

shard_pool::~shard_pool() {
    for (auto& s : shards_) {
        s->guard.reset();
        s->io.stop();
    }
    for (auto& s : shards_)
        if (s->thread.joinable()) s->thread.join();
}

void shard_pool::run_sync(std::size_t shard, const std::function<void()>& f) {
    std::promise<void> done;
    auto finished = done.get_future();
    post(shard, [&] {
        f();
        done.set_value();
    });
    finished.wait();
}

void shard_pool::run_sync_all(const std::function<void(std::size_t)>& f) {
    for (std::size_t i = 0; i < shards_.size(); ++i) run_sync(i, [&] { f(i); });
}

bool wait_until(const std::function<bool()>& done, std::chrono::steady_clock::duration timeout,
                std::chrono::steady_clock::duration step) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(step);
    }
}

}  // namespace switchboard::bench
