// What every Redis-backed adapter (classic, sharded, streams) stands on, whatever its
// wire: a thread of its own running an io_context, a connection for commands and one
// that subscribes (both reconnect by themselves and re-subscribe), the figures of the
// link on /metrics (lost, requests, timeouts, outages, connected), the requests this
// node has out in the cluster, and the namespaces the adapter serves. An adapter keeps
// only its channels and its messages.
//
// Everything but start(), stop(), post() and figures() runs on the link's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "kernel/cluster/link_metrics.hpp"
#include "kernel/cluster/redis_client.hpp"
#include "kernel/cluster/request_tracker.hpp"

namespace switchboard::kernel::cluster {

// What every Redis-backed adapter is configured with (kernel/server.cpp fills it from
// the deployment's `cluster:` section).
struct redis_cluster_settings {
    std::string url = "redis://127.0.0.1:6379";
    std::string key = "socket.io";   // every channel's prefix (the streams adapter's stream)
    std::chrono::milliseconds requests_timeout{5'000};
    std::vector<std::string> namespaces = {"/"};
};

class redis_link {
public:
    // Throws std::invalid_argument for a bad URL.
    redis_link(const std::string& url, std::vector<std::string> namespaces);
    ~redis_link();
    redis_link(const redis_link&) = delete;
    redis_link& operator=(const redis_link&) = delete;

    boost::asio::io_context& io() noexcept { return io_; }
    const redis_endpoint& endpoint() const noexcept { return endpoint_; }
    redis_client& commands() noexcept { return *commands_; }
    // Subscribe before start(): the subscriptions are then sent on the first connection.
    redis_client& subscriber() noexcept { return *subscriber_; }
    request_tracker& requests() noexcept { return requests_; }
    const std::vector<std::string>& namespaces() const noexcept { return namespaces_; }
    bool serves(const std::string& nsp) const;

    // Runs `f` on the link's thread, from any thread.
    template <class F>
    void post(F&& f) {
        boost::asio::post(io_, std::forward<F>(f));
    }

    // Connects and starts the thread. Every push goes to `on_push`; a push it throws on
    // (a field of the wrong type) is logged and dropped, and the cluster goes on.
    void start(redis_client::push_fn on_push);
    // Once, from any thread but the link's: on the link's thread `before` stops what the
    // adapter runs there itself (timers, more connections), then both connections
    // close, every open request is dropped and the thread ends.
    void stop(std::function<void()> before = {});

    // A command that hands Redis a message (PUBLISH, SPUBLISH, XADD...). One Redis could
    // not take is counted as lost, not silently dropped (the client logs the outage
    // once); `done` (if any) gets whether it was taken.
    void send(const std::vector<std::string_view>& command, std::function<void(bool taken)> done = {});

    // A cluster-wide request `request_id` (opened in requests()): asks Redis how many
    // nodes subscribe to `channel` (`count`: NUMSUB, or SHARDNUMSUB for sharded
    // channels), this node being one; then, if the request is still open, calls
    // `publish` when any other node listens and tells the tracker how many answers to
    // wait for until `timeout` (none known without Redis: the result is partial).
    void ask(std::string_view count, const std::string& channel, const std::string& request_id,
             std::chrono::milliseconds timeout, std::function<void()> publish);

    link_figures figures() const { return {lost_, requests_count_, timeouts_, outages_, connected_}; }

private:
    std::vector<std::string> namespaces_;
    redis_endpoint endpoint_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::shared_ptr<redis_client> commands_;
    std::shared_ptr<redis_client> subscriber_;
    std::atomic<std::uint64_t> lost_{0};
    std::atomic<std::uint64_t> requests_count_{0};
    std::atomic<std::uint64_t> timeouts_{0};
    std::atomic<std::uint64_t> outages_{0};
    std::atomic<bool> connected_{false};
    request_tracker requests_{io_, requests_count_, timeouts_};
    std::thread thread_;
};

}  // namespace switchboard::kernel::cluster
