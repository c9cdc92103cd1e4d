// Turns the kernel's session counts into presence: online and offline transitions,
// status changes, the current state of a list of users, and presence:update to the
// subscribers of each change.
//
// The kernel's session count (sdk user_sessions) is the truth about who is online.
// Presence hooks are posted to the handler pool and two of them may run out of order
// (a quick connect-disconnect), so a hook does not say what happened: it says "look
// again". reconcile() compares the kernel's count with the store and announces only a
// real change, under a lock per user, so each user's updates go out in order and a
// second device never re-announces.
#pragma once

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

#include "presence_store.hpp"
#include "presence_table.hpp"

namespace switchboard::plugins::presence {

using json = sdk::json;

class presence_tracker {
public:
    presence_tracker(sdk::plugin& p, presence_store& store, presence_table& table)
        : plugin_(p), store_(store), table_(table) {}

    // Brings the store in line with the kernel for `user_id`, announcing a transition.
    // `session_ended`: called for a last session leaving. Returns true when the user is
    // online.
    bool reconcile(const std::string& user_id, bool session_ended);

    // Sets a connected user's status; announces it when it changed. Returns their state.
    json set_status(const std::string& user_id, const std::string& status);

    // {userId, status, lastSeen} of each user, in order. Online users were seen now;
    // offline ones when their last device left (null if never).
    std::vector<json> states_of(const std::vector<std::string>& user_ids);

private:
    std::optional<std::string> reconcile_locked(const std::string& user_id, bool* changed = nullptr);
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
    std::array<std::mutex, 64> locks_;
};

json state_json(const std::string& user_id, const std::string& status, std::optional<std::int64_t> seen_at);

}  // namespace switchboard::plugins::presence
