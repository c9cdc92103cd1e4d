// What every handler of the blog shares: the SDK handle, the settings, the store, the
// ranking and the per-post locks. One instance lives from load to unload.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>

#include <switchboard/sdk.hpp>

#include "ranking.hpp"
#include "settings.hpp"
#include "store.hpp"

namespace switchboard::plugins::blog {

// Serializes a post's like changes with the broadcast that reports them: without it,
// two likers' pushes could leave the pool threads in the other order, and a watcher
// would end on the older count. The database orders the changes themselves; this
// orders what this node says about them. Striped: posts share 64 locks.
class post_locks {
public:
    std::mutex& of(std::int64_t post) { return locks_[static_cast<std::uint64_t>(post) % locks_.size()]; }

private:
    std::array<std::mutex, 64> locks_;
};

struct blog_context {
    blog_context(sdk::plugin& plugin, settings s);

    sdk::plugin& p;
    const settings config;
    blog_store store;
    post_locks locks;
    ranking_board ranking;
};

// Socket.IO rooms: one a post (its watchers), the feed, the ranking's subscribers.
std::string post_room(std::int64_t post);
inline constexpr const char* feed_room = "blog:feed";
inline constexpr const char* ranking_room = "blog:ranking";

// Unix time in milliseconds: what the tables store.
std::int64_t now_ms();

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
