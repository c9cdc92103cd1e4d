// The plugins' timers (host_timer_start / host_timer_cancel). Pooled timers fire on the
// handler pool; inline ones on a network worker, spread over the workers one timer
// after the other (each timer stays on its worker, so its calls never overlap).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "kernel/plugins/handler_pool.hpp"
#include "kernel/plugins/plugin_instance.hpp"
#include "switchboard/sdk.h"

namespace switchboard::kernel {
class worker;
}

namespace switchboard::kernel::plugins {

class plugin_timers {
public:
    plugin_timers(handler_pool& pool, std::vector<worker*> workers);
    ~plugin_timers();

    switchboard_timer_t start(plugin_instance& plugin, std::uint64_t delay_ms, std::uint64_t interval_ms,
                              bool is_inline, switchboard_timer_fn fn, void* user_data);
    // False when `timer` is unknown, over, or (with `owner`) another plugin's.
    bool cancel(switchboard_timer_t timer, const plugin_instance* owner = nullptr);
    // Cancels every timer of `plugin` (its load failed), or every timer (null: unload).
    // Each one's user_data is released once no call of it runs.
    void cancel_all(const plugin_instance* plugin = nullptr);
    std::size_t running() const;

private:
    struct timer_state;
    void arm(const std::shared_ptr<timer_state>& timer);

    handler_pool& pool_;
    const std::vector<worker*> workers_;
    mutable std::mutex mutex_;
    std::unordered_map<switchboard_timer_t, std::shared_ptr<timer_state>> timers_;
    std::atomic<switchboard_timer_t> next_timer_{1};
};

}  // namespace switchboard::kernel::plugins
