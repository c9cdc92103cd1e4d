#include "cluster_sync.hpp"

#include <chrono>

#include <switchboard/sdk/other_nodes.hpp>

#include "context.hpp"
#include "payload.hpp"

namespace switchboard::plugins::blog {

namespace {

constexpr std::string_view channel = "blog:cluster";

// Long past the time a message takes between nodes, even a loaded one.
constexpr std::int64_t version_memory_ms = 60'000;

void apply_likes(blog_context& ctx, const json& message) {
    const std::int64_t post = read_id(message, "postId");
    const std::string author = read_user_id(message, "author");
    const auto likes = message.value("likes", json());
    const auto version = message.value("version", json());
    if (!likes.is_number_integer() || !version.is_number_integer())
        throw sdk::error("invalid_payload", "likes and version must be integers");
    {
        std::lock_guard order(ctx.pushed.order_of(post));
        push_likes_here(ctx, post, author, likes.get<std::int64_t>(), version.get<std::int64_t>());
    }
    ctx.ranking.changed();
}

}  // namespace

void pushed_versions::forget_idle(std::int64_t now, std::int64_t idle_ms) {
    std::lock_guard lock(mutex_);
    std::erase_if(newest_, [&](const auto& item) { return now - item.second.touched > idle_ms; });
}

void push_likes_here(blog_context& ctx, std::int64_t post, const std::string& author, std::int64_t likes,
                     std::int64_t version) {
    // One push to a socket in both rooms. Even a count names the post: not to the users
    // a block separates from its author.
    sdk::target to = sdk::target::to_room(ctx.config.nsp, ctx.here(post_room(post)));
    to.rooms.push_back(ctx.here(feed_room));
    hide_from_blocked(ctx, to, author);
    const json args = json::array({json{{"postId", post}, {"likes", likes}}});
    ctx.pushed.push_if_newer(post, version, unix_ms(), [&] { ctx.p.emit(to, "blog:likes", args); });
}

void tell_likes(blog_context& ctx, std::int64_t post, const std::string& author, std::int64_t likes,
                std::int64_t version) {
    sdk::tell_other_nodes(ctx.p, channel,
                          {{"op", "likes"}, {"postId", post}, {"author", author}, {"likes", likes}, {"version", version}});
}

void announce_ranking_change(blog_context& ctx) {
    ctx.ranking.changed();
    sdk::tell_other_nodes(ctx.p, channel, {{"op", "ranking"}});
}

void register_cluster_sync(blog_context& ctx) {
    sdk::on_other_nodes(ctx.p, channel,
                        {{"likes", [&ctx](const json& message) { apply_likes(ctx, message); }},
                         {"ranking", [&ctx](const json&) { ctx.ranking.changed(); }}});
}

}  // namespace switchboard::plugins::blog
