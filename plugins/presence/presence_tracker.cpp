#include "presence_tracker.hpp"

#include <functional>

#include "rooms.hpp"

namespace switchboard::plugins::presence {

json state_json(const std::string& user_id, const std::string& status, std::optional<std::int64_t> seen_at) {
    return json{{"userId", user_id}, {"status", status}, {"lastSeen", seen_at ? json(*seen_at) : json(nullptr)}};
}

std::mutex& presence_tracker::lock_for(const std::string& user_id) {
    return locks_.of(user_id);
}

bool presence_tracker::reconcile(const std::string& user_id, bool session_ended) {
    std::lock_guard lock(lock_for(user_id));
    const bool online = plugin_.user_sessions(user_id) > 0;
    const std::int64_t now = unix_ms();
    // The kernel reports each transition once (in a cluster, on one node) and in order;
    // a hook the count has already moved past is followed by the opposite one.
    if (online == session_ended) {
        if (session_ended) touch(user_id, now);
        return online;
    }
    if (online) {
        std::string status = saved_status(user_id).value_or("online");
        save(user_id, status, now);
        // It may be marked already: by set_status catching up, or, in a cluster, left
        // over from a session whose end another node announced.
        if (!store_.mark_online(user_id, status)) store_.set_status(user_id, status);
        plugin_.count("online_transitions");
        announce(user_id, status, now);
        return true;
    }
    const auto chosen = store_.mark_offline(user_id);
    // Written before the announcement: whoever reacts to it reads the new last_seen.
    save(user_id, chosen ? *chosen : saved_status(user_id).value_or("online"), now);
    plugin_.count("offline_transitions");
    announce(user_id, "offline", now);
    return false;
}

std::optional<std::string> presence_tracker::current_status(const std::string& user_id) {
    if (plugin_.user_sessions(user_id) == 0) return std::nullopt;
    if (auto status = store_.status_of(user_id)) return status;
    // Online on another node of the cluster, or this node's hook is still queued (it
    // announces): this node's store learns the status without announcing anything.
    std::string status = saved_status(user_id).value_or("online");
    store_.mark_online(user_id, status);
    return status;
}

json presence_tracker::set_status(const std::string& user_id, const std::string& status) {
    std::lock_guard lock(lock_for(user_id));
    const auto current = current_status(user_id);
    const std::int64_t now = unix_ms();
    if (!current) throw sdk::error("not_found", "the user has no connected session");
    // Only this lock changes the user's state: unchanged here means the same status.
    if (store_.set_status(user_id, status)) {
        save(user_id, status, now);
        announce(user_id, status, now);
    }
    return state_json(user_id, status, now);
}

std::vector<json> presence_tracker::states_of(const std::vector<std::string>& user_ids) {
    const std::int64_t now = unix_ms();
    std::vector<json> out(user_ids.size());
    std::vector<std::string> offline;
    for (std::size_t i = 0; i < user_ids.size(); ++i) {
        std::optional<std::string> status;
        {
            std::lock_guard lock(lock_for(user_ids[i]));
            status = current_status(user_ids[i]);
        }
        if (status) out[i] = state_json(user_ids[i], *status, now);
        else offline.push_back(user_ids[i]);
    }
    if (offline.empty()) return out;
    const auto seen = table_.last_seen(offline);
    for (std::size_t i = 0; i < user_ids.size(); ++i) {
        if (!out[i].is_null()) continue;
        const auto found = seen.find(user_ids[i]);
        out[i] = state_json(user_ids[i], "offline",
                            found == seen.end() ? std::nullopt : std::optional<std::int64_t>(found->second));
    }
    return out;
}

void presence_tracker::announce(const std::string& user_id, const std::string& status, std::int64_t seen_at) {
    const json args = json::array({state_json(user_id, status, seen_at)});
    const std::string room = room_for_user(user_id);
    // Presence is per user, subscribers are per namespace: tell every namespace.
    for (const auto& nsp : store_.namespaces()) plugin_.emit(sdk::target::to_room(nsp, room), "presence:update", args);
    plugin_.count("updates");
}

std::optional<std::string> presence_tracker::saved_status(const std::string& user_id) {
    try {
        return table_.saved_status(user_id);
    } catch (const std::exception& failure) {
        plugin_.log_warn("cannot read the saved status of " + user_id + ": " + failure.what());
        return std::nullopt;
    }
}

void presence_tracker::save(const std::string& user_id, const std::string& status, std::int64_t seen_at) {
    try {
        table_.save(user_id, status, seen_at);
    } catch (const std::exception& failure) {
        plugin_.log_warn("cannot save the presence of " + user_id + ": " + failure.what());
        plugin_.count("db_failures");
    }
}

void presence_tracker::touch(const std::string& user_id, std::int64_t seen_at) {
    try {
        table_.touch(user_id, seen_at);
    } catch (const std::exception& failure) {
        plugin_.log_warn("cannot save when " + user_id + " was seen: " + failure.what());
        plugin_.count("db_failures");
    }
}

}  // namespace switchboard::plugins::presence
