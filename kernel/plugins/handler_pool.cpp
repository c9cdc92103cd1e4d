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

void handler_pool::post(std::function<void()> task, const std::shared_ptr<strand>& s) {
    auto run = [task = std::move(task)] {
        in_pool = true;
        task();
    };
    if (s) boost::asio::post(*s, std::move(run));
    else boost::asio::post(pool_, std::move(run));
}

bool handler_pool::on_pool_thread() noexcept { return in_pool; }

void handler_pool::stop() {
    pool_.join();
}

}  // namespace switchboard::kernel::plugins
