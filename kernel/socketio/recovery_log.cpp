#include "kernel/socketio/recovery_log.hpp"

#include <algorithm>

namespace switchboard::kernel::socketio {

using cluster::log_position;

recovery_log::recovery_log(const config::recovery_settings& settings)
    : settings_(settings),
      epoch_ms_(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count())) {}

void recovery_log::append(const std::string& nsp, const std::vector<std::string>& rooms,
                          const std::vector<std::string>& except,
                          const std::function<message_ptr(const log_position&)>& encode,
                          const std::function<void(const log_position&, const message_ptr&)>& deliver) {
    const auto now = now_();
    std::lock_guard lock(mutex_);
    auto& log = logs_[nsp];
    const log_position at{epoch_ms_, log.last_seq + 1};
    auto message = encode(at);
    log.last_seq = at.seq;
    log.entries.push_back(entry{at.seq, rooms, except, message, now});
    drop_old(log, now);
    deliver(at, message);
}

void recovery_log::drop_old(namespace_log& log, clock::time_point now) {
    while (log.entries.size() > settings_.log_size) log.entries.pop_front();
    while (!log.entries.empty() && now - log.entries.front().logged > settings_.log_age) log.entries.pop_front();
}

bool recovery_log::complete_after(const namespace_log& log, const log_position& from) const {
    if (from.ms != epoch_ms_ || from.seq > log.last_seq) return false;   // not an offset of this run
    // Every entry after `from` is kept when the oldest kept one follows it at once (or
    // nothing was dropped after it).
    const std::uint64_t first_kept = log.entries.empty() ? log.last_seq + 1 : log.entries.front().seq;
    return from.seq + 1 >= first_kept;
}

void recovery_log::save(const cluster::saved_session& session, bool connected) {
    // Only what outlives the node needs keeping while connected; memory dies with it.
    if (connected) return;
    const auto now = now_();
    std::lock_guard lock(mutex_);
    drop_expired_sessions(now);
    sessions_[session.pid] = kept_session{session, now};
}

void recovery_log::forget(const std::string& pid) {
    std::lock_guard lock(mutex_);
    sessions_.erase(pid);
}

void recovery_log::drop_expired_sessions(clock::time_point now) {
    // A sweep at most once a second: the map stays within what the window holds
    // without a walk on every disconnect.
    if (now < next_session_sweep_) return;
    next_session_sweep_ = now + std::chrono::seconds(1);
    std::erase_if(sessions_, [&](const auto& item) {
        return now - item.second.disconnected > settings_.max_disconnection_duration;
    });
}

void recovery_log::claim(const std::string& nsp, const std::string& pid, std::optional<log_position> from,
                         claim_fn done) {
    std::optional<cluster::saved_session> claimed;
    std::string_view why_not;
    {
        const auto now = now_();
        std::lock_guard lock(mutex_);
        const auto found = sessions_.find(pid);
        if (found == sessions_.end() || found->second.session.nsp != nsp) {
            why_not = "unknown_session";
        } else if (now - found->second.disconnected > settings_.max_disconnection_duration) {
            why_not = "expired";
            sessions_.erase(found);
        } else {
            auto session = std::move(found->second.session);
            sessions_.erase(found);
            if (from) session.since = from;
            auto& log = logs_[nsp];
            drop_old(log, now);
            if (!session.since) why_not = "no_offset";
            else if (!complete_after(log, *session.since)) why_not = "log_overflow";
            else claimed = std::move(session);
        }
    }
    done(std::move(claimed), why_not);
}

void recovery_log::missed(const std::string& nsp, log_position from, std::vector<std::string> rooms,
                          missed_fn done) {
    std::optional<cluster::missed_events> result;
    {
        std::lock_guard lock(mutex_);
        auto& log = logs_[nsp];
        drop_old(log, now_());
        if (complete_after(log, from)) {
            cluster::missed_events missed;
            missed.end = log_position{epoch_ms_, log.last_seq};
            for (const auto& e : log.entries) {
                if (e.seq <= from.seq || !cluster::reaches(rooms, e.rooms, e.except)) continue;
                missed.events.push_back(cluster::missed_event{log_position{epoch_ms_, e.seq}, e.message, {}});
            }
            result = std::move(missed);
        }
    }
    done(std::move(result));
}

}  // namespace switchboard::kernel::socketio
