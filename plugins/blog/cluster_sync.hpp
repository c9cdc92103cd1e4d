// Several nodes on Redis sharing one database: watchers of a post, of the feed and of
// the ranking may be on any node, and likes come from every node.
//
// Like counts: a room broadcast from two nodes may reach a watcher in either order
// (one node's push locally, the other's through Redis), so a watcher could end on an
// older count. Instead each node pushes counts to its own watchers only (its node
// rooms, context.hpp) and tells the others of each change it committed; every node
// pushes a change only if its like version (blog_posts.like_version, one more per
// change in commit order) is newer than the last it pushed for that post. A watcher
// therefore never gets a count older than one it got, and ends on the newest.
//
// Ranking: each node computes it from the shared database and pushes it to its own
// watchers; a change on another node marks it for recomputation here.
//
// The messages, serverSideEmit("blog:cluster", message):
//   likes    {postId, author, likes, version}   a like or unlike committed on that node
//   ranking  {}                                 something that may move the ranking
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::blog {

struct blog_context;

// The newest like version this node pushed, per post, and the per-post order of its
// pushes. A post's entry is forgotten after a while without changes (forget_idle): a
// message that old is no longer on its way.
class pushed_versions {
public:
    // Held from a like change to its push on the node that made it (so one node's
    // watchers get every change it made, in commit order), and around a push of another
    // node's change. Striped: posts share 64 locks.
    std::mutex& order_of(std::int64_t post) { return stripes_[static_cast<std::uint64_t>(post) % stripes_.size()]; }

    // Runs `push` when `version` is newer than every version of `post` pushed here.
    // The caller holds order_of(post).
    template <class Push>
    void push_if_newer(std::int64_t post, std::int64_t version, std::int64_t now, Push&& push) {
        {
            std::lock_guard lock(mutex_);
            auto& newest = newest_[post];
            if (version <= newest.version) return;
            newest = {version, now};
        }
        push();
    }
    void forget_idle(std::int64_t now, std::int64_t idle_ms);

private:
    struct entry {
        std::int64_t version = 0;
        std::int64_t touched = 0;
    };
    std::array<std::mutex, 64> stripes_;
    std::mutex mutex_;   // newest_
    std::unordered_map<std::int64_t, entry> newest_;
};

// A like change: pushed to this node's watchers of the post and of the feed (but the
// users a block separates from `author`) unless a newer one was. The caller holds
// ctx.pushed.order_of(post).
void push_likes_here(blog_context& ctx, std::int64_t post, const std::string& author, std::int64_t likes,
                     std::int64_t version);

// A like change this node committed, told to the other nodes.
void tell_likes(blog_context& ctx, std::int64_t post, const std::string& author, std::int64_t likes,
                std::int64_t version);

// Something that may move the ranking (a deleted post): here and on the other nodes.
void announce_ranking_change(blog_context& ctx);

// Subscribes to the other nodes' messages, and forgets idle posts' versions.
void register_cluster_sync(blog_context& ctx);

}  // namespace switchboard::plugins::blog
