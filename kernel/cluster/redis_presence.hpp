// Who is online across the cluster, kept in Redis (docs/cluster.md, "Presence").
//
// Each node writes its users' socket counts under a key of its own and keeps a
// deadline in a shared sorted set, refreshed every `heartbeat`. Lua scripts change a
// node's count and the cluster total in one step, so exactly one node sees each user's
// 0 -> 1 and 1 -> 0 of the total: that node owns the transition and tells its plugins.
// A node that stops refreshing (kill -9) is removed by the next heartbeat of any other
// node after its deadline, which takes its users' counts off the totals; the users that
// reach 0 go offline, owned by the node that removed it. Every change of a total is
// published too, so each node keeps a copy of the totals that plugins and the server
// API read without a round trip.
//
// Independent of the adapter (classic, sharded, streams): its own two connections and
// thread, so presence never waits behind broadcasts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kernel/cluster/redis_client.hpp"
#include "kernel/rooms/presence.hpp"

namespace switchboard::kernel::cluster {

struct redis_presence_settings {
    std::string url = "redis://127.0.0.1:6379";
    std::string key = "socket.io";
    std::chrono::milliseconds heartbeat{2'000};
    // A node silent this long is gone: its users go offline within node_timeout +
    // heartbeat of its last heartbeat.
    std::chrono::milliseconds node_timeout{6'000};
};

class redis_presence final : public rooms::presence_view {
public:
    // A transition of the cluster total this node owns (on the presence thread; quick).
    using transition_fn = std::function<void(const std::string& user_id, bool online)>;

    // `local` answers while the cluster's totals are not known (Redis unreachable).
    // Throws std::invalid_argument for a bad URL.
    redis_presence(redis_presence_settings settings, const rooms::presence& local, transition_fn transition);
    ~redis_presence() override;

    void start();
    // Takes this node's users off the totals (their last sessions end here), then stops.
    void stop();

    // This node now has `sockets` sockets of `user_id`. Any thread; calls must come in
    // the order the changes happened (rooms::presence::on_count does).
    void local_changed(const std::string& user_id, std::uint32_t sockets);

    // --- presence_view: the cluster's totals (any thread) ---
    std::uint32_t sockets_of(std::string_view user_id) const override;
    std::vector<std::string> online(std::size_t offset, std::size_t limit) const override;
    std::size_t online_count() const override;

    const std::string& node_id() const noexcept { return node_id_; }

private:
    struct total {
        std::uint32_t sockets = 0;   // 0: offline, kept until the published change arrives
        std::uint64_t version = 0;
    };

    // --- on the presence thread ---
    void write_count(const std::string& user_id, std::uint32_t sockets);
    void sync();
    void heartbeat();
    void schedule_heartbeat();
    void request_snapshot();
    // A script's reply: [status, (user, before, after, version)...]; announces what
    // this node owns. Returns the status.
    std::int64_t apply_owned(const std::optional<resp_value>& reply);
    void on_published(const std::string& payload);
    void apply(const std::string& user_id, std::uint32_t sockets, std::uint64_t version, bool from_stream);
    void eval(std::string_view script, std::vector<std::string> args, redis_client::reply_fn done);

    redis_presence_settings settings_;
    const rooms::presence& local_view_;
    transition_fn transition_;
    std::string node_id_;
    std::string channel_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::shared_ptr<redis_client> publisher_;
    std::shared_ptr<redis_client> subscriber_;
    boost::asio::steady_timer heartbeat_timer_;
    std::thread thread_;

    std::map<std::string, std::uint32_t, std::less<>> local_;   // this node's counts, as written
    std::uint64_t stream_version_ = 0;       // the last published change applied
    bool snapshot_pending_ = false;
    std::vector<std::string> held_;          // published while the snapshot is on its way

    mutable std::mutex totals_mutex_;
    std::map<std::string, total, std::less<>> totals_;
    std::atomic<bool> synced_{false};        // totals_ follows Redis
};

}  // namespace switchboard::kernel::cluster
