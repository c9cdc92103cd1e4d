// The cluster over Redis pub/sub, on the wire of Node's `@socket.io/redis-adapter` 8.x
// (`createAdapter`), so Switchboard nodes, Node socket.io nodes and
// `@socket.io/redis-emitter` publishers share one cluster:
//
//   <key>#<nsp>#            broadcasts (msgpack [uid, packet, opts]); <key>#<nsp>#<room>#
//                           for exactly one room; all read with PSUBSCRIBE <key>#<nsp>#*
//   <key>-request#<nsp>#    requests (JSON): join, leave, disconnect, fetch, rooms, emit
//   <key>-response#<nsp>#   responses (JSON), and <key>-response#<nsp>#<uid># for ours
//
// Node counts the subscribers of the request channel as servers and waits for that many
// answers, so this node answers every request it is asked, even with nothing to say.
// Redis I/O runs on one thread of its own; an outage is logged and counted, what is
// published during it is counted as lost, and subscriptions come back with Redis
// (redis_link).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "kernel/cluster/link_metrics.hpp"
#include "kernel/cluster/redis_backed_adapter.hpp"

namespace switchboard::kernel::cluster {

using redis_adapter_settings = redis_cluster_settings;

class redis_adapter final : public redis_backed_adapter {
public:
    // Throws std::invalid_argument for a bad URL.
    redis_adapter(redis_adapter_settings settings, local_node& node);
    ~redis_adapter() override;

    void start() override;
    void stop() override;
    void broadcast(const std::string& nsp, const ordered_json& data, const selection& to, bool is_volatile) override;
    void join(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
              sent_fn sent) override;
    void leave(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
               sent_fn sent) override;
    void disconnect(const std::string& nsp, const selection& which, bool close, sent_fn sent) override;
    void emit_to_other_nodes(const std::string& nsp, const ordered_json& data) override;

    // The counters in the Prometheus text format.
    std::string metrics_text() const { return counters_.metrics_text(link_.figures()); }

private:
    std::string new_request_id() const override;
    void ask_fetch(const std::string& nsp, const std::string& request_id, const selection& which) override;
    void ask_acks(const std::string& nsp, const std::string& request_id, const ordered_json& data, const selection& to,
                  std::chrono::milliseconds timeout) override;

    // --- on the cluster thread ---
    // PUBLISH; `sent` (if any) runs when Redis has it, or could not take it.
    void publish(std::string channel, std::string payload, sent_fn sent = {});
    // Posts a request to the namespace's request channel from any thread.
    void send_request(const std::string& nsp, const ordered_json& request, sent_fn sent);
    void on_message(std::string_view channel, std::string payload);
    void on_broadcast(const std::string& nsp, const std::string& payload);
    void on_request(const std::string& nsp, const std::string& payload);
    void on_response(const std::string& payload);
    // Publishes a request (JSON, or msgpack) once PUBSUB NUMSUB said how many nodes
    // answer, and tells the link's requests.
    void ask(const std::string& nsp, const std::string& request_id, std::string payload,
             std::chrono::milliseconds timeout);
    void respond(const std::string& nsp, const ordered_json& response);
    // Answers another node's broadcast with acks: this node's client count, then each ack.
    void answer_broadcast_with_ack(const std::string& nsp, const std::string& request_id, const ordered_json& request);

    std::string broadcast_channel(const std::string& nsp) const { return settings_.key + "#" + nsp + "#"; }
    std::string request_channel(const std::string& nsp) const { return settings_.key + "-request#" + nsp + "#"; }
    std::string response_channel(const std::string& nsp) const { return settings_.key + "-response#" + nsp + "#"; }

    redis_adapter_settings settings_;
    pubsub_counters counters_;
};

}  // namespace switchboard::kernel::cluster
