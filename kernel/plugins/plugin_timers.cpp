#include "kernel/plugins/plugin_timers.hpp"

#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kernel/core/worker.hpp"

namespace switchboard::kernel::plugins {

struct plugin_timers::timer_state {
    switchboard_timer_t id = 0;
    plugin_instance* plugin = nullptr;
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::chrono::milliseconds interval{0};
    switchboard_timer_fn fn = nullptr;
    void* user_data = nullptr;
    std::atomic<bool> cancelled{false};

    // SDK 1.1 release: once the timer is over (cancelled, or its last call made) and
    // no call runs, never while one does (a timer that cancels itself from its own
    // callback is released after the callback returned).
    switchboard_release_fn release = nullptr;
    std::mutex state_mutex;
    bool running = false;
    bool released = false;

    // Marks a call as running; false when the timer is over (then no call is made).
    bool begin_call() {
        std::lock_guard lock(state_mutex);
        if (cancelled) return false;
        running = true;
        return true;
    }
    // After a call; `last`: no call follows.
    void end_call(bool last) {
        std::unique_lock lock(state_mutex);
        running = false;
        if (last || cancelled) release_locked(lock);
    }
    // The timer is over: released now unless a call runs (end_call releases it then).
    void finish() {
        std::unique_lock lock(state_mutex);
        cancelled = true;
        if (!running) release_locked(lock);
    }

private:
    void release_locked(std::unique_lock<std::mutex>& lock) {
        if (released || !release || !user_data) return;
        released = true;
        lock.unlock();
        release(user_data);
    }
};

plugin_timers::plugin_timers(handler_pool& pool, std::vector<worker*> workers)
    : pool_(pool), workers_(std::move(workers)) {}

plugin_timers::~plugin_timers() { cancel_all(); }

switchboard_timer_t plugin_timers::start(plugin_instance& plugin, std::uint64_t delay_ms, std::uint64_t interval_ms,
                                         bool is_inline, switchboard_timer_fn fn, void* user_data) {
    auto timer = std::make_shared<timer_state>();
    timer->id = next_timer_++;
    timer->plugin = &plugin;
    timer->interval = std::chrono::milliseconds(interval_ms);
    timer->fn = fn;
    timer->user_data = user_data;
    timer->release = plugin.release;
    if (is_inline && !workers_.empty())
        timer->timer = std::make_unique<boost::asio::steady_timer>(workers_[timer->id % workers_.size()]->io());
    else
        timer->timer = std::make_unique<boost::asio::steady_timer>(pool_.executor());
    timer->timer->expires_after(std::chrono::milliseconds(delay_ms));
    {
        std::lock_guard lock(mutex_);
        timers_.emplace(timer->id, timer);
    }
    arm(timer);
    return timer->id;
}

void plugin_timers::arm(const std::shared_ptr<timer_state>& timer) {
    timer->timer->async_wait([this, timer](const boost::system::error_code& ec) {
        if (ec || !timer->begin_call()) return;
        timer->fn(timer->user_data, timer->id);
        const bool again = timer->interval.count() > 0 && !timer->cancelled;
        if (!again) {
            std::lock_guard lock(mutex_);
            timers_.erase(timer->id);
        }
        // Before re-arming: the next call (on another pool thread) starts after this one ended.
        timer->end_call(!again);
        if (again) {
            timer->timer->expires_after(timer->interval);
            arm(timer);
        }
    });
}

bool plugin_timers::cancel(switchboard_timer_t id, const plugin_instance* owner) {
    std::shared_ptr<timer_state> timer;
    {
        std::lock_guard lock(mutex_);
        const auto found = timers_.find(id);
        // Ids are the host's, not a plugin's: another plugin's timer is not this one's to cancel.
        if (found == timers_.end() || (owner && found->second->plugin != owner)) return false;
        timer = found->second;
        timers_.erase(found);
    }
    timer->finish();
    // Cancel on the timer's own executor: Asio timers are not thread-safe.
    boost::asio::post(timer->timer->get_executor(), [timer] { timer->timer->cancel(); });
    return true;
}

void plugin_timers::cancel_all(const plugin_instance* plugin) {
    if (!plugin) {
        // At unload: the workers have stopped and the pool is about to drain, so
        // nothing runs a timer's handler while it is cancelled here.
        std::lock_guard lock(mutex_);
        for (auto& [id, timer] : timers_) {
            timer->timer->cancel();
            timer->finish();
        }
        timers_.clear();
        return;
    }
    // While serving (a failed load): each one cancelled on its own executor.
    std::vector<switchboard_timer_t> ids;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, timer] : timers_)
            if (timer->plugin == plugin) ids.push_back(id);
    }
    for (const auto id : ids) cancel(id);
}

std::size_t plugin_timers::running() const {
    std::lock_guard lock(mutex_);
    return timers_.size();
}

}  // namespace switchboard::kernel::plugins
