// The requests this node has out in the cluster (fetchSockets, broadcasts with acks)
// and what has come back for each: the adapters' one place for the bookkeeping of
// "ask every node, wait for all of them or the time limit, answer with what came".
//
// A request completes once this node's own part is in, the number of other nodes is
// known, and each of them answered (plus every item an answer announced, such as the
// acks a node said its clients owe), or once its time is up: then it is partial.
// Everything runs on the cluster thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kernel/cluster/adapter.hpp"

namespace switchboard::kernel::cluster {

class request_tracker {
public:
    using done_fn = std::function<void(gathered)>;

    // `requests` and `timeouts` are the adapter's counters for /metrics.
    request_tracker(boost::asio::io_context& io, std::atomic<std::uint64_t>& requests,
                    std::atomic<std::uint64_t>& timeouts)
        : io_(io), requests_(requests), timeouts_(timeouts) {}

    // A new request under `id`; `done` gets what was gathered, once.
    void open(const std::string& id, done_fn done);
    bool contains(const std::string& id) const { return pending_.count(id) != 0; }

    // A fetchSockets under `id`, with this node's own part (its selected sockets) asked
    // of `node` and added as it comes.
    void open_fetch(const std::string& id, local_node& node, const std::string& nsp, const selection& which,
                    std::function<void(fetch_result)> done);
    // A broadcast with acks under `id`, delivered to this node's own sockets, whose
    // acks are added as they come.
    void open_broadcast_with_acks(const std::string& id, local_node& node, const std::string& nsp,
                                  const ordered_json& data, const selection& to, std::chrono::milliseconds timeout,
                                  done_fn done);

    // This node's own part: its items, and how many more items it announces.
    void local_answered(const std::string& id, ordered_json items, std::size_t items_to_follow = 0);
    // How many other nodes must answer, and for how long to wait; `unknown` when Redis
    // could not say (the result is then partial).
    void expect(const std::string& id, std::size_t nodes, std::chrono::milliseconds timeout, bool unknown = false);
    // Another node answered with `items` (an array) and announces `items_to_follow`.
    void node_answered(const std::string& id, const ordered_json& items, std::size_t items_to_follow = 0);
    // One of the announced items.
    void item_arrived(const std::string& id, ordered_json item);

    // Drops every request without answering (the adapter stops).
    void cancel_all();

private:
    struct pending;
    void describe_locally(local_node& node, const std::string& id, const std::string& nsp, const selection& which);
    void deliver_locally_with_acks(local_node& node, const std::string& id, const std::string& nsp,
                                   const ordered_json& data, const selection& to, std::chrono::milliseconds timeout);
    void finish_if_complete(const std::string& id);

    boost::asio::io_context& io_;
    std::atomic<std::uint64_t>& requests_;
    std::atomic<std::uint64_t>& timeouts_;
    std::map<std::string, std::shared_ptr<pending>> pending_;
};

}  // namespace switchboard::kernel::cluster
