#include "kernel/plugins/handler_pool.hpp"

#include <boost/asio/post.hpp>

namespace switchboard::kernel::plugins {

namespace {
thread_local bool in_pool = false;
}

handler_pool::handler_pool(unsigned threads) : pool_(threads) {}

handler_pool::~handler_pool() { stop(); }

std::shared_ptr<handler_pool::strand> handler_pool::make_strand() {
    return std::make_shared<strand>(pool_.get_executor());
}

void handler_pool::post(std::function<void()> task, const std::shared_ptr<strand>& s, std::string what) {
    auto run = [this, task = std::move(task), what = std::move(what)]() mutable {
        in_pool = true;
        std::list<running_task>::iterator entry;
        {
            std::lock_guard lock(running_mutex_);
            entry = running_.insert(running_.end(),
                                    running_task{what.empty() ? "a pooled task" : std::move(what),
                                                 std::chrono::steady_clock::now()});
        }
        struct done_guard {
            handler_pool& pool;
            std::list<running_task>::iterator entry;
            ~done_guard() {
                std::lock_guard lock(pool.running_mutex_);
                pool.running_.erase(entry);
            }
        } guard{*this, entry};
        task();
    };
    if (s) boost::asio::post(*s, std::move(run));
    else boost::asio::post(pool_, std::move(run));
}

bool handler_pool::on_pool_thread() noexcept { return in_pool; }

void handler_pool::stop() {
    pool_.join();
}

std::vector<std::string> handler_pool::running() const {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::string> out;
    std::lock_guard lock(running_mutex_);
    for (const auto& task : running_) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - task.since).count();
        out.push_back(task.what + " (running for " + std::to_string(ms) + " ms)");
    }
    return out;
}

}  // namespace switchboard::kernel::plugins
