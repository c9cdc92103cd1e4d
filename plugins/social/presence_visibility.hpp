// Whose presence a user may see. The presence plugin puts each subscription in the
// room `presence:user:<id>` with authorization (its README): this join hook is that
// authorization, decided by the social graph. A block hides presence both ways in
// every mode; `presence_visibility` narrows it further to followers or friends. When a
// relation ends, the sockets that watched through it leave the room at once.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::social {

struct social_context;

enum class presence_visibility { everyone, followers, friends };

// The sockets watching a user's presence through this plugin's consent, so that
// consent can be taken back. Node-local, as sockets are: each node takes back its own.
class presence_watchers {
public:
    void add(sdk::socket_id socket, const std::string& watcher, const std::string& watched);
    // Forgets and returns the sockets of `watcher` that watch `watched`.
    std::vector<sdk::socket_id> take(const std::string& watcher, const std::string& watched);
    void drop_socket(sdk::socket_id socket);

private:
    std::mutex mutex_;
    // (watcher, watched) -> sockets; a socket's pairs, for dropping it.
    std::map<std::pair<std::string, std::string>, std::vector<sdk::socket_id>> sockets_;
    std::multimap<sdk::socket_id, std::pair<std::string, std::string>> pairs_of_socket_;
};

// The room name the presence plugin subscribes through, and its user; nullopt-like ""
// for any other room.
std::string_view watched_user_of_room(std::string_view room);

void register_presence_visibility(social_context& ctx);

// After a relation between `a` and `b` ended (unfollow, unfriend, block): whoever of
// the two may no longer see the other stops watching, on every socket of this node,
// and the other nodes are told to do the same with theirs (serverSideEmit
// "social:cluster" {op: "presence_recheck", a, b}).
void recheck_presence(social_context& ctx, const std::string& a, const std::string& b);
// The same on this node's sockets only (what another node's message asks).
void recheck_presence_here(social_context& ctx, const std::string& a, const std::string& b);

}  // namespace switchboard::plugins::social
