// Every SQL statement of the plugin: rooms, members, messages, reactions and read
// receipts, on SQLite or PostgreSQL through the SDK. Blocking: pooled handlers only.
// Database failures throw sdk::error with a db_* code (see reply.cpp).
//
// Rows come back as JSON objects; SQLite hands computed columns (COUNT, RETURNING)
// back as text, so every number read from a row goes through `as_int` (switchboard/columns.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <switchboard/columns.hpp>
#include <switchboard/sdk.hpp>

namespace switchboard::plugins::chat {

using sdk::json;

struct room_row {
    std::int64_t id = 0;
    std::string kind;   // public, private or direct
    std::optional<std::string> name;
    std::string owner;
    std::vector<std::string> users;   // direct rooms: the pair
    std::int64_t created_at = 0;

    bool is_public() const noexcept { return kind == "public"; }
    bool is_private() const noexcept { return kind == "private"; }
    json to_json() const;
};

struct message_row {
    std::int64_t id = 0;
    std::int64_t room = 0;
    std::string user;
    std::string text;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> edited_at;
    std::optional<std::int64_t> deleted_at;

    json to_json() const;   // {id, room, user, text, createdAt, editedAt}
};

// A member's side of a direct conversation (message requests, migrations/chat/0003):
// "active", "request" (waiting in the member's chat:requests) or "declined".
inline constexpr const char* state_active = "active";
inline constexpr const char* state_request = "request";
inline constexpr const char* state_declined = "declined";

struct request_page {
    json requests = json::array();   // [{room, from, message}], newest room first
    bool has_more = false;
};

struct message_page {
    json messages = json::array();   // oldest first, each with "reactions"
    bool has_more = false;
};

// The most reactions one user may put on one message.
inline constexpr std::size_t max_reactions_per_user = 20;

using namespace sdk::columns;

class chat_store {
public:
    explicit chat_store(sdk::plugin& p) : plugin_(p) {}

    std::optional<room_row> room(std::int64_t id);
    // A public or private room, its owner and `members` added, in one transaction.
    room_row create_room(bool is_private, const std::string& name, const std::string& owner,
                         const std::vector<std::string>& members, std::int64_t now);
    // The direct room of the pair, created with both as members if there is none;
    // `created` tells which. Idempotent and safe against concurrent calls. A new
    // room's creator is active, the peer starts in `peer_state`.
    room_row direct_room(const std::string& user, const std::string& peer, std::int64_t now, bool& created,
                         const char* peer_state = state_active);

    // "owner" or "member", or nothing for a non-member.
    std::optional<std::string> role_of(std::int64_t room, const std::string& user);
    // False when the user was a member already.
    bool add_member(std::int64_t room, const std::string& user, const std::string& role, std::int64_t now);
    bool remove_member(std::int64_t room, const std::string& user);
    json members(std::int64_t room);              // [{user, role, joinedAt}]
    json rooms_of(const std::string& user);      // member rooms (active side) and public rooms

    // The member's side of the room (state_*), or nothing for a non-member.
    std::optional<std::string> state_of(std::int64_t room, const std::string& user);
    // The member's side becomes active; false when it was already.
    bool activate(std::int64_t room, const std::string& user);
    // A waiting request becomes declined; false when the side was not a request.
    bool decline(std::int64_t room, const std::string& user);
    // The user's waiting requests that hold a live message, by room id descending,
    // below `before`: each with the other user and the latest live message.
    request_page requests(const std::string& user, std::optional<std::int64_t> before, std::size_t limit);

    message_row add_message(std::int64_t room, const std::string& user, const std::string& text, std::int64_t now);
    // Messages below `before` (all when absent), newest `limit`, oldest first.
    message_page page(std::int64_t room, std::optional<std::int64_t> before, std::size_t limit);
    std::optional<message_row> message(std::int64_t id);
    // Both apply only to the author's live message sent at or after `not_before`;
    // false when none matched (someone got there first, or the window closed).
    bool edit(std::int64_t id, const std::string& user, const std::string& text, std::int64_t now,
              std::int64_t not_before);
    bool erase(std::int64_t id, const std::string& user, std::int64_t now, std::int64_t not_before);

    // Adds or removes the user's `emoji` on a message; true when it is now there.
    // Throws sdk::error("too_many_reactions") past max_reactions_per_user.
    bool toggle_reaction(std::int64_t message, const std::string& user, const std::string& emoji, std::int64_t now);
    json reaction_counts(std::int64_t message);   // {emoji: count}

    // Moves the user's read mark in `room` forward to `message` (never back); returns
    // the mark {message, readAt} and whether it moved.
    std::pair<json, bool> mark_read(std::int64_t room, const std::string& user, std::int64_t message,
                                    std::int64_t now);
    json reads(std::int64_t room);   // [{user, message, readAt}]

private:
    sdk::plugin& plugin_;
};

}  // namespace switchboard::plugins::chat
