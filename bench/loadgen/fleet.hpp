// A set of clients spread round-robin over the shards: connected with a bounded number
// of handshakes in flight (a real crowd arrives over time, not in one SYN flood),
// kept, then closed. Packets go to the scenario's handler on the client's shard.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client.hpp"
#include "shard_pool.hpp"

namespace switchboard::bench {

enum class transport { websocket, polling };

class fleet final : public client_listener {
public:
    using packet_handler = std::function<void(client&, const protocol::sio_packet&, clock::time_point)>;

    fleet(shard_pool& pool, const target& where, transport kind);
    ~fleet() override;

    // Called on the client's shard. Each shard keeps its own copy, replaced on its own
    // thread: a scenario may swap handlers while packets flow.
    void on_packet(const packet_handler& handler);

    // Connects `count` more clients, `in_flight` handshakes at a time. True when all are
    // ready within `timeout`; otherwise what failed is in failure().
    bool connect(std::size_t count, std::size_t in_flight, clock::duration timeout);
    std::size_t ready() const noexcept { return ready_.load(); }
    std::size_t closed() const noexcept { return closed_.load(); }
    // Clients lost other than by close_all(), and why the first one went.
    std::size_t failed() const noexcept { return failed_.load(); }
    std::string failure() const;

    // Runs f(client) for every client, on its shard, and waits.
    void for_each(const std::function<void(client&)>& f);
    // Closes every client and waits (bounded) for them to go.
    void close_all(clock::duration timeout);

private:
    struct shard_state {
        std::vector<std::shared_ptr<client>> clients;
        packet_handler handler;
        std::size_t to_start = 0;
        std::size_t in_flight = 0;
    };

    void start_more(std::size_t shard);
    void on_ready(client& c) override;
    void on_packet(client& c, const protocol::sio_packet& packet, clock::time_point received) override;
    void on_closed(client& c, std::string_view reason) override;

    shard_pool& pool_;
    const target& target_;
    transport kind_;
    std::vector<shard_state> shards_;
    std::size_t in_flight_per_shard_ = 1;
    std::atomic<bool> closing_{false};
    std::atomic<std::size_t> ready_{0};
    std::atomic<std::size_t> failed_{0};
    std::atomic<std::size_t> closed_{0};
    mutable std::mutex failure_mutex_;
    std::string first_failure_;
};

}  // namespace switchboard::bench
