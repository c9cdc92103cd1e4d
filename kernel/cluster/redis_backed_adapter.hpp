// What the three Redis adapters (classic, sharded, streams) have in common above their
// link: this node's uid in the cluster, the link itself, and the two requests that
// gather answers from every node (fetchSockets, a broadcast with acks). Both open the
// request in the link's tracker with this node's own part, then ask the cluster in the
// adapter's wire; only that last step differs, so each adapter says it in ask_fetch and
// ask_acks and nothing else.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "kernel/cluster/adapter.hpp"
#include "kernel/cluster/link_metrics.hpp"
#include "kernel/cluster/redis_link.hpp"

namespace switchboard::kernel::cluster {

class redis_backed_adapter : public adapter {
public:
    const std::string& uid() const noexcept { return uid_; }
    // Its link to Redis (for `switchboard status`).
    link_figures link() const { return link_.figures(); }

    // The selected sockets of every node, this one's included (fetchSockets).
    void fetch(const std::string& nsp, const selection& which, std::function<void(fetch_result)> done) final;
    // A broadcast with acks to the selected sockets of every node, this one's included.
    void broadcast_with_acks(const std::string& nsp, const ordered_json& data, const selection& to,
                             std::chrono::milliseconds timeout, std::function<void(gathered)> done) final;

protected:
    // Throws std::invalid_argument for a bad URL.
    redis_backed_adapter(const redis_cluster_settings& settings, local_node& node, std::string uid);

    // --- on the cluster thread, the request already open in link_.requests() ---
    // A request id as this adapter's wire makes them.
    virtual std::string new_request_id() const = 0;
    virtual void ask_fetch(const std::string& nsp, const std::string& request_id, const selection& which) = 0;
    virtual void ask_acks(const std::string& nsp, const std::string& request_id, const ordered_json& data,
                          const selection& to, std::chrono::milliseconds timeout) = 0;

    local_node& node_;
    const std::string uid_;
    redis_link link_;
};

}  // namespace switchboard::kernel::cluster
