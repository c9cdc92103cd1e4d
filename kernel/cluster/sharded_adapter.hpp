// The cluster over Redis 7 sharded pub/sub, on the wire of Node's
// `@socket.io/redis-adapter` 8.3 `createShardedAdapter` in its default `dynamic`
// subscription mode (docs/cluster-wire.md section 3), so Switchboard nodes and Node
// nodes on that adapter share one cluster:
//
//   <key>#<nsp>#          every message not below (SSUBSCRIBEd by every node, which is
//                         how Node counts the servers: PUBSUB SHARDNUMSUB)
//   <key>#<nsp>#<room>#   broadcasts to exactly one room that is not a socket id; a
//                         node SSUBSCRIBEs it only while it has members in the room,
//                         so it hears only the rooms it serves
//   <key>#<nsp>#<uid>#    answers to this node's requests
//
// Messages are socket.io-adapter's ClusterAdapter envelopes {type, data, uid, nsp}:
// JSON, or msgpack when a broadcast, an ack or a fetch answer carries binary.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kernel/cluster/link_metrics.hpp"
#include "kernel/cluster/redis_backed_adapter.hpp"

namespace switchboard::kernel::cluster {

// `key` is Node's channelPrefix.
using sharded_adapter_settings = redis_cluster_settings;

class sharded_adapter final : public redis_backed_adapter {
public:
    // Throws std::invalid_argument for a bad URL.
    sharded_adapter(sharded_adapter_settings settings, local_node& node);
    ~sharded_adapter() override;

    void start() override;
    void stop() override;
    void broadcast(const std::string& nsp, const ordered_json& data, const selection& to, bool is_volatile) override;
    void join(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
              sent_fn sent) override;
    void leave(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
               sent_fn sent) override;
    void disconnect(const std::string& nsp, const selection& which, bool close, sent_fn sent) override;
    void emit_to_other_nodes(const std::string& nsp, const ordered_json& data) override;
    void room_changed(const std::string& nsp, const std::string& room, bool exists) override;

    std::string metrics_text() const { return counters_.metrics_text(link_.figures()); }

private:
    std::string new_request_id() const override;
    void ask_fetch(const std::string& nsp, const std::string& request_id, const selection& which) override;
    void ask_acks(const std::string& nsp, const std::string& request_id, const ordered_json& data, const selection& to,
                  std::chrono::milliseconds timeout) override;

    // --- on the cluster thread ---
    // SPUBLISH of one envelope; `sent` (if any) runs when Redis has it, or could not take it.
    void publish(const std::string& channel, int type, ordered_json data, const std::string& nsp,
                 sent_fn sent = {});
    // Publishes a request on the main channel once SHARDNUMSUB said how many nodes answer.
    void ask(const std::string& nsp, const std::string& request_id, int type, ordered_json data,
             std::chrono::milliseconds timeout);
    void on_message(std::string_view channel, const std::string& payload);

    std::string main_channel(const std::string& nsp) const { return settings_.key + "#" + nsp + "#"; }
    std::string room_channel(const std::string& nsp, const std::string& room) const {
        return main_channel(nsp) + room + "#";
    }

    sharded_adapter_settings settings_;
    // Per room channel: how many of this node's workers have members in the room.
    std::map<std::string, std::size_t> room_workers_;
    pubsub_counters counters_;
};

}  // namespace switchboard::kernel::cluster
