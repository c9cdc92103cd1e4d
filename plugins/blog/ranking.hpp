// The ranking: the top `ranking_size` posts, by likes or by likes that weigh less as
// the post ages. Read by a call (blog:ranking), and pushed to this node's watchers (each
// node pushes to its own, cluster_sync.hpp) when the top N changes (which posts, their order, their like counts), at most once
// per `ranking_interval`: a burst of likes costs one query and one push an interval.
// The push goes to the room but the users a block separates from a ranked author;
// each of those gets their own ranking, without that author, in their personal room.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include <switchboard/sdk.hpp>

#include "node_rooms.hpp"
#include "settings.hpp"
#include "store.hpp"

namespace switchboard::plugins::blog {

class ranking_board {
public:
    ranking_board(sdk::plugin& plugin, blog_store& store, const settings& config, const node_rooms& rooms)
        : plugin_(plugin), store_(store), config_(config), rooms_(rooms) {}

    // Something that may move the ranking happened (a like, a new or deleted post).
    void changed() noexcept { dirty_.store(true, std::memory_order_relaxed); }

    // The ranking as it is now: {mode, posts: [{rank, id, title, author, likes, score, createdAt}]},
    // without the posts of authors blocking or blocked by `viewer` (if given).
    json current(const std::string& viewer = {});

    // Starts the periodic check; call once, after the events are registered.
    void start();

    // The identity of a ranking for "did it change": ids, order and like counts.
    static std::string key_of(const json& ranking);

private:
    void tick();

    sdk::plugin& plugin_;
    blog_store& store_;
    const settings& config_;
    const node_rooms& rooms_;   // pushes go to this node's watchers: every node pushes its own
    std::atomic<bool> dirty_{true};
    std::mutex mutex_;   // last_key_, and one tick at a time
    std::string last_key_;
    bool known_ = false;
};

// The room of one user's own ranking pushes (see above).
std::string personal_ranking_room(const std::string& user);

struct blog_context;
// blog:ranking, blog:watch_ranking, blog:unwatch_ranking.
void register_ranking_events(blog_context& ctx);

}  // namespace switchboard::plugins::blog
