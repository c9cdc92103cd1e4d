// What every handler of the blog shares: the SDK handle, the settings, the store, the
// ranking, this node's rooms and the like versions it pushed. One instance lives from
// load to unload.
#pragma once

#include <cstdint>
#include <string>

#include <switchboard/sdk.hpp>
#include <switchboard/support.hpp>

#include "cluster_sync.hpp"
#include "node_rooms.hpp"
#include "ranking.hpp"
#include "settings.hpp"
#include "store.hpp"

namespace switchboard::plugins::blog {

struct blog_context {
    blog_context(sdk::plugin& plugin, settings s);

    sdk::plugin& p;
    const settings config;
    blog_store store;
    node_rooms rooms;
    pushed_versions pushed;
    ranking_board ranking;

    std::string here(std::string_view room) const { return rooms.here(room); }
};

// Socket.IO rooms: one a post (its watchers), the feed, the ranking's subscribers.
// Their watchers are in each room on this node too (here()): like counts and the
// ranking are pushed there (cluster_sync.hpp says why).
std::string post_room(std::int64_t post);
inline constexpr const char* feed_room = "blog:feed";
inline constexpr const char* ranking_room = "blog:ranking";

using sdk::unix_ms;   // what the tables store (switchboard/support.hpp)

// The earliest creation time an author may still edit; 0 when there is no window.
std::int64_t edit_window_start(const settings& config, std::int64_t now);

// A live post `viewer` may see (no block between them and its author), or not_found:
// a hidden post is as absent as a deleted one.
post_row existing_post(blog_context& ctx, std::int64_t id, const std::string& viewer);

// Keeps the users either of whom blocked `author` out of a push about what `author`
// wrote.
sdk::target& hide_from_blocked(blog_context& ctx, sdk::target& to, const std::string& author);

// Tells `user`'s devices through the notifications plugin's bus topic. Nothing for
// the user's own actions, and nothing with `notify: false`.
void notify(blog_context& ctx, const std::string& user, const std::string& actor, const char* type,
            const std::string& title, json data);

}  // namespace switchboard::plugins::blog
