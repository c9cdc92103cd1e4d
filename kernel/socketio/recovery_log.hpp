// This node's memory for connection state recovery: per namespace, a bounded log of
// the events sent with an offset, and the sessions of sockets that disconnected for a
// reason they may come back from (socket.io's in-memory SessionAwareAdapter).
//
// Bounded twice: at most `log_size` events per namespace, none older than `log_age`.
// A client whose offset has left the log connects fresh: never a partial replay.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernel/cluster/session_store.hpp"
#include "kernel/config/config.hpp"

namespace switchboard::kernel::socketio {

class recovery_log final : public cluster::session_store {
public:
    using clock = std::chrono::steady_clock;
    using message_ptr = std::shared_ptr<const engineio::wire_message>;

    explicit recovery_log(const config::recovery_settings& settings);

    // Logs an event of `nsp` sent to `rooms` (all when empty) but not `except`:
    // `encode` builds it with the offset it gets, then `deliver` runs, still under the
    // log's lock, so every event leaves for its sockets in the order of its offset.
    void append(const std::string& nsp, const std::vector<std::string>& rooms, const std::vector<std::string>& except,
                const std::function<message_ptr(const cluster::log_position&)>& encode,
                const std::function<void(const cluster::log_position&, const message_ptr&)>& deliver);

    void save(const cluster::saved_session& session, bool connected) override;
    void forget(const std::string& pid) override;
    void claim(const std::string& nsp, const std::string& pid, std::optional<cluster::log_position> from,
               claim_fn done) override;
    void missed(const std::string& nsp, cluster::log_position from, std::vector<std::string> rooms,
                missed_fn done) override;

    // The clock, for tests.
    void set_clock(std::function<clock::time_point()> now) { now_ = std::move(now); }

private:
    struct entry {
        std::uint64_t seq;
        std::vector<std::string> rooms;
        std::vector<std::string> except;
        message_ptr message;
        clock::time_point logged;
    };
    struct namespace_log {
        std::deque<entry> entries;
        std::uint64_t last_seq = 0;   // of the newest entry ever logged (0: none yet)
    };
    struct kept_session {
        cluster::saved_session session;
        clock::time_point disconnected;
    };

    // Under the lock.
    void drop_old(namespace_log& log, clock::time_point now);
    void drop_expired_sessions(clock::time_point now);
    // Whether every entry after `from` is still in `log`.
    bool complete_after(const namespace_log& log, const cluster::log_position& from) const;

    config::recovery_settings settings_;
    // Offsets of an earlier run of this node never match: they carry its start time.
    std::uint64_t epoch_ms_;
    std::function<clock::time_point()> now_ = [] { return clock::now(); };
    std::mutex mutex_;
    std::unordered_map<std::string, namespace_log> logs_;
    std::unordered_map<std::string, kept_session> sessions_;   // by pid
    clock::time_point next_session_sweep_{};
};

}  // namespace switchboard::kernel::socketio
