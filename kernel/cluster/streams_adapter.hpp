// The cluster over one Redis stream, on the wire of Node's
// `@socket.io/redis-streams-adapter` 0.3 (docs/cluster-wire.md section 4), so
// Switchboard nodes and Node socket.io nodes on that adapter share one cluster, and the
// stream is the log connection state recovery replays from on any node:
//
//   XADD <key> MAXLEN ~ <log_size> * uid <uid> nsp <nsp> type <n> data <JSON|base64 msgpack>
//                             broadcasts without ack (3), socketsJoin/Leave (4, 5),
//                             disconnectSockets (6), read by every node with XREAD
//   <key>#<nsp>#              requests (msgpack envelope): fetchSockets (7),
//                             serverSideEmit (9), broadcasts with ack (3 + requestId)
//   <key>#<nsp>#<uid>#        the answers to this node's requests (8, 10, 11, 12)
//   sio:session:<pid>         a session: base64(msgpack({sid, pid, rooms, data})), PX
//
// Every node delivers the stream's broadcasts in the stream's order, this node's own
// included (they come back through XREAD): the order a client receives is the order of
// the offsets it holds, so a replay after its offset is exactly what it missed.
//
// Unlike Node's adapter, which writes a session only when its socket disconnects, a
// connected socket's session is kept in Redis (refreshed while it lives): a client
// whose node was killed outright still recovers on another node.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "kernel/cluster/link_metrics.hpp"
#include "kernel/cluster/redis_backed_adapter.hpp"
#include "kernel/cluster/redis_client.hpp"
#include "kernel/cluster/session_store.hpp"

namespace switchboard::kernel::cluster {

// `key` is the stream's name and the channels' prefix.
struct streams_adapter_settings : redis_cluster_settings {
    std::size_t max_len = 10'000;    // MAXLEN ~ of every XADD
    std::chrono::milliseconds max_disconnection_duration{120'000};
    std::string session_prefix = "sio:session:";
};

class streams_adapter final : public redis_backed_adapter, public session_store {
public:
    // Throws std::invalid_argument for a bad URL.
    streams_adapter(streams_adapter_settings settings, local_node& node);
    ~streams_adapter() override;

    // --- adapter ---
    void start() override;
    void stop() override;
    void broadcast(const std::string& nsp, const ordered_json& data, const selection& to, bool is_volatile) override;
    void join(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
              sent_fn sent) override;
    void leave(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
               sent_fn sent) override;
    void disconnect(const std::string& nsp, const selection& which, bool close, sent_fn sent) override;
    void emit_to_other_nodes(const std::string& nsp, const ordered_json& data) override;
    bool delivers_own_broadcasts() const override { return true; }

    // --- session_store ---
    void save(const saved_session& session, bool connected) override;
    void forget(const std::string& pid) override;
    void claim(const std::string& nsp, const std::string& pid, std::optional<log_position> from,
               claim_fn done) override;
    void missed(const std::string& nsp, log_position from, std::vector<std::string> rooms, missed_fn done) override;
    bool outlives_node() const override { return true; }

    // The counters in the Prometheus text format.
    std::string metrics_text() const;

private:
    struct missed_scan;

    std::string new_request_id() const override;
    void ask_fetch(const std::string& nsp, const std::string& request_id, const selection& which) override;
    void ask_acks(const std::string& nsp, const std::string& request_id, const ordered_json& data, const selection& to,
                  std::chrono::milliseconds timeout) override;

    // --- on the cluster thread ---
    void read_stream();
    void on_entry(const std::string& id, const resp_value& fields);
    void on_pubsub(std::string_view channel, const std::string& payload);
    void on_request(const std::string& nsp, const ordered_json& message);
    void on_response(const ordered_json& message);
    // Publishes a request envelope once PUBSUB NUMSUB said how many nodes answer.
    void ask(const std::string& nsp, const std::string& request_id, ordered_json envelope,
             std::chrono::milliseconds timeout);
    // XADD of a durable message; `done` gets whether Redis took it.
    void append(const std::string& nsp, int type, const ordered_json& data, std::function<void(bool)> done);
    void publish(std::string channel, const ordered_json& envelope);
    void refresh_sessions();
    void scan_missed(std::shared_ptr<missed_scan> scan);

    std::string public_channel(const std::string& nsp) const { return settings_.key + "#" + nsp + "#"; }
    std::string private_channel(const std::string& nsp, const std::string& uid) const {
        return settings_.key + "#" + nsp + "#" + uid + "#";
    }
    std::string session_key(const std::string& pid) const { return settings_.session_prefix + pid; }

    streams_adapter_settings settings_;
    std::atomic<std::uint64_t> appended_{0};
    std::atomic<std::uint64_t> read_{0};
    // link_ (the base's) carries the commands (XADD, sessions, requests) and the request
    // channels; XREAD BLOCK holds a connection of its own.
    std::shared_ptr<redis_client> reader_;
    boost::asio::steady_timer read_retry_;
    boost::asio::steady_timer refresh_timer_;
    std::string last_id_ = "$";            // where XREAD goes on
    std::set<std::string> connected_sessions_;   // pids whose sessions this node keeps alive
    bool stopping_ = false;
    bool reading_ = false;                 // the stream's reading has started
};

}  // namespace switchboard::kernel::cluster
