// Turns the kernel's session counts into presence: online and offline transitions,
// status changes, the current state of a list of users, and presence:update to the
// subscribers of each change.
//
// The kernel's session count (sdk user_sessions) is the truth about who is online; its
// presence hooks report each transition once, in order (in a cluster, on the node that
// saw it), so the node that gets a hook announces it. The store holds statuses: a node
// that learns of a user online elsewhere fills it in without announcing. Updates go out
// under a lock per user, so each user's updates leave in order.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>
#include <switchboard/support.hpp>

#include "presence_store.hpp"
#include "presence_table.hpp"

namespace switchboard::plugins::presence {

using json = sdk::json;

class presence_tracker {
public:
    presence_tracker(sdk::plugin& p, presence_store& store, presence_table& table)
        : plugin_(p), store_(store), table_(table) {}

    // Announces the transition a presence hook reports, unless the count has already
    // moved past it. `session_ended`: the last session left. Returns true when the user
    // is online.
    bool reconcile(const std::string& user_id, bool session_ended);

    // Sets a connected user's status; announces it when it changed. Returns their state.
    json set_status(const std::string& user_id, const std::string& status);

    // {userId, status, lastSeen} of each user, in order. Online users were seen now;
    // offline ones when their last device left (null if never).
    std::vector<json> states_of(const std::vector<std::string>& user_ids);

private:
    // The status of a user online anywhere (nothing when offline), filling in the store
    // for one online on another node. Under the user's lock.
    std::optional<std::string> current_status(const std::string& user_id);
    void announce(const std::string& user_id, const std::string& status, std::int64_t seen_at);
    // A database failure must not stop presence: memory is the truth for who is online.
    std::optional<std::string> saved_status(const std::string& user_id);
    void save(const std::string& user_id, const std::string& status, std::int64_t seen_at);
    void touch(const std::string& user_id, std::int64_t seen_at);
    std::mutex& lock_for(const std::string& user_id);

    sdk::plugin& plugin_;
    presence_store& store_;
    presence_table& table_;
    // Striped: a mutex per user would grow without bound, one for all would serialize
    // every user's database writes.
    sdk::striped_locks<std::string> locks_;
};

json state_json(const std::string& user_id, const std::string& status, std::optional<std::int64_t> seen_at);

}  // namespace switchboard::plugins::presence
