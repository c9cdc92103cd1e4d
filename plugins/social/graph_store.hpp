// Every SQL statement of the social graph: privacy, follows and follow requests,
// friend requests and friendships, blocks; on SQLite or PostgreSQL through the SDK.
// Blocking: pooled handlers only. Database failures throw sdk::database_error.
//
// Transactions that change something start with a write: SQLite then takes its write
// lock at once (and waits for it) instead of failing to upgrade a read later. Those
// that add a relation (block, follow, friend request and acceptance) start by taking
// the pair's lock row, so one pair's changes are ordered across every node sharing the
// database: two users asking each other at once become friends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::social {

using sdk::json;

// A page of users ordered by id: [{userId, since}], the next page after the last id.
struct user_page {
    json users = json::array();
    bool has_more = false;
};

struct graph_counts {
    std::int64_t followers = 0;
    std::int64_t following = 0;
    std::int64_t friends = 0;
};

enum class friend_outcome { sent, already_sent, accepted, already_friends };

struct block_outcome {
    bool added = false;          // false: already blocked
    bool ended_friendship = false;
    bool ended_follow = false;   // the blocker followed the blocked (or asked to)
};

class graph_store {
public:
    explicit graph_store(sdk::plugin& plugin) : plugin_(plugin) {}

    // ---- privacy and blocks
    bool is_private(const std::string& user);
    void set_private(const std::string& user, bool is_private, std::int64_t now);
    // Turns every pending request to `user` into a follow; returns the followers approved.
    json approve_all(const std::string& user);
    bool has_blocked(const std::string& blocker, const std::string& blocked);
    // Either blocked the other.
    bool blocked_between(const std::string& a, const std::string& b);
    // Blocks and ends every relation between the two (follows, requests, friendship).
    block_outcome block(const std::string& blocker, const std::string& blocked, std::int64_t now);
    bool unblock(const std::string& blocker, const std::string& blocked);
    user_page blocks(const std::string& blocker, const std::optional<std::string>& after, std::size_t limit);

    // ---- follows
    // "active", "pending" or nothing.
    std::optional<std::string> follow_status(const std::string& follower, const std::string& followee);
    // Follows (or asks to, for a private account); `created` false when it already was
    // so. Throws forbidden when either blocked the other.
    std::string follow(const std::string& follower, const std::string& followee, std::int64_t now, bool& created);
    // Ends a follow or withdraws a request; false if there was neither.
    bool unfollow(const std::string& follower, const std::string& followee);
    // The owner answers a request; false if there was none.
    bool approve(const std::string& owner, const std::string& follower);
    bool decline(const std::string& owner, const std::string& follower);
    user_page followers(const std::string& user, const std::optional<std::string>& after, std::size_t limit);
    user_page following(const std::string& user, const std::optional<std::string>& after, std::size_t limit);
    user_page follow_requests(const std::string& user, const std::optional<std::string>& after, std::size_t limit);
    graph_counts counts(const std::string& user);

    // ---- friends
    // A request from `from` to `to`; accepts theirs if they asked first. Throws
    // forbidden when either blocked the other.
    friend_outcome request_friend(const std::string& from, const std::string& to, std::int64_t now);
    // `owner` accepts `from`'s request; false if there was none.
    bool accept_friend(const std::string& owner, const std::string& from, std::int64_t now);
    // Deletes the request from `from` to `to` (rejected or cancelled); false if none.
    bool drop_request(const std::string& from, const std::string& to);
    bool unfriend(const std::string& a, const std::string& b);
    bool are_friends(const std::string& a, const std::string& b);
    user_page friends(const std::string& user, const std::optional<std::string>& after, std::size_t limit);
    // {received: [{userId, since}], sent: [...]}, at most 500 each.
    json friend_requests(const std::string& user);

private:
    user_page page_of(const std::string& sql, json params, std::size_t limit);

    sdk::plugin& plugin_;
};

}  // namespace switchboard::plugins::social
