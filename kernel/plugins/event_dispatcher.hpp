// The dispatcher: a client's events to the plugins' handlers. Inline handlers run on the
// socket's worker at once; pooled ones on the handler pool, on the socket's own strand,
// so a socket's events (and its hooks) reach plugins in the order they came. Bounded
// per socket: at max_pooled_events / max_pooled_bytes its reading is held until the
// pool drained half; at a multiple of them the socket is disconnected.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "kernel/config/config.hpp"
#include "kernel/plugins/handler_pool.hpp"
#include "kernel/plugins/plugin_registry.hpp"

namespace switchboard::kernel::socketio {
class server;
class socket;
struct encoded_arguments;
}  // namespace switchboard::kernel::socketio

namespace switchboard::kernel::plugins {

class event_dispatcher {
public:
    // `registry` is read-only while serving; the pool outlives every task posted here.
    event_dispatcher(const plugin_registry& registry, handler_pool& pool, socketio::server& io,
                     config::socketio_settings limits);

    void dispatch(socketio::socket& s, std::string_view event, socketio::encoded_arguments args, std::int64_t ack_id);
    // The strand that serializes `s`'s work on the pool (its events and hooks).
    std::shared_ptr<handler_pool::strand> strand_of(socketio::socket& s);

    // Events waiting for a pool thread now, and times a client's reading paused.
    std::size_t pooled_waiting() const noexcept { return pooled_waiting_.load(std::memory_order_relaxed); }
    std::uint64_t read_pauses() const noexcept { return read_pauses_.load(std::memory_order_relaxed); }

private:
    // What a socket has on the pool (created on first use, kept with the socket).
    struct pooled_queue;
    std::shared_ptr<pooled_queue> queue_of(socketio::socket& s);
    // True when one more event of `bytes` would pass the socket's hard bound; then the
    // socket is disconnected (after the current call: we are inside its event).
    bool over_pooled_bound(socketio::socket& s, pooled_queue& queue, std::size_t bytes);
    // Backpressure: a queue at the bound holds its session's reading until the pool
    // drains it to half of both (see pooled_queue).
    void hold_reading_if_full(socketio::socket& s, pooled_queue& queue);

    const plugin_registry& registry_;
    handler_pool& pool_;
    socketio::server& io_;
    const config::socketio_settings limits_;
    std::atomic<std::uint64_t> read_pauses_{0};    // holds taken, for /metrics
    std::atomic<std::size_t> pooled_waiting_{0};   // pooled events not yet on a thread
};

}  // namespace switchboard::kernel::plugins
