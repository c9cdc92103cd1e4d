// blog: posts, likes, comments, views and a ranking, live to the sockets that watch
// a post, the feed or the ranking. README.md documents every event, payload, ack,
// error code and config key.
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include <switchboard/sdk.hpp>

#include "backend_bus.hpp"
#include "cluster_sync.hpp"
#include "context.hpp"
#include "post_events.hpp"
#include "reaction_events.hpp"

namespace switchboard::plugins::blog {

blog_context::blog_context(sdk::plugin& plugin, settings s)
    : p(plugin), config(std::move(s)), store(plugin), ranking(plugin, store, config, rooms) {}

std::string post_room(std::int64_t post) { return "blog:post:" + std::to_string(post); }

std::int64_t edit_window_start(const settings& config, std::int64_t now) {
    if (config.edit_window.count() == 0) return 0;
    return now - std::chrono::duration_cast<std::chrono::milliseconds>(config.edit_window).count();
}

post_row existing_post(blog_context& ctx, std::int64_t id, const std::string& viewer) {
    auto post = ctx.store.post(id, viewer);
    if (!post) throw sdk::error("not_found", "no post " + std::to_string(id));
    return std::move(*post);
}

sdk::target& hide_from_blocked(blog_context& ctx, sdk::target& to, const std::string& author) {
    for (auto& user : ctx.store.hidden_with(author)) to.except("user:" + user);
    return to;
}

void notify(blog_context& ctx, const std::string& user, const std::string& actor, const char* type,
            const std::string& title, json data) {
    if (!ctx.config.notify || user == actor) return;
    try {
        ctx.p.publish("notifications:send", {{"userId", user},
                                             {"type", std::string("blog.") + type},
                                             {"title", title},
                                             {"message", ""},
                                             {"data", std::move(data)}});
    } catch (const std::exception& failure) {
        // The like or comment is stored and broadcast; a lost notification is not
        // worth failing it for.
        ctx.p.log_warn(std::string("notification not sent: ") + failure.what());
    }
}

namespace {

// The handlers hold references into this; it lives as long as the library, and the
// kernel loads a plugin once.
std::unique_ptr<blog_context> context;

void load(sdk::plugin& p) {
    context = std::make_unique<blog_context>(p, read_settings(p.config()));
    register_post_events(*context);
    register_reaction_events(*context);
    register_ranking_events(*context);
    register_backend_bus(*context);
    register_cluster_sync(*context);
    context->ranking.start();
}

}  // namespace

}  // namespace switchboard::plugins::blog

SWITCHBOARD_PLUGIN("blog", "1.0.0", "Posts, likes, comments, views and a live ranking",
                   switchboard::plugins::blog::config_schema, switchboard::plugins::blog::load)
