#include "backend_bus.hpp"

#include "payload.hpp"
#include "post_events.hpp"

namespace switchboard::plugins::blog {

void register_backend_bus(blog_context& ctx) {
    // {author, title, body}: the same checks as blog:create, the author named by the
    // backend instead of a token. The bus has no answer: a refusal is logged and counted.
    ctx.p.subscribe("blog:create", [&ctx](std::string_view, const json& payload) {
        try {
            if (!payload.is_object()) throw sdk::error("invalid_payload", "the payload must be an object");
            const std::string author = read_user_id(payload, "author");
            const post_row post = publish_post(ctx, author, payload, 0);
            ctx.ranking.changed();
            ctx.p.log_info("post " + std::to_string(post.id) + " created from the bus for " + author);
        } catch (const sdk::database_error& failure) {
            ctx.p.count("bus_rejected");
            ctx.p.count("database_errors");
            ctx.p.log_error(std::string("blog:create from the bus: ") + failure.code() + ": " + failure.what());
        } catch (const std::exception& failure) {
            ctx.p.count("bus_rejected");
            ctx.p.log_warn(std::string("blog:create from the bus refused: ") + failure.what());
        }
    });

    // Blocks as the social plugin announces them, {blocker, blocked}: mirrored into
    // blog_blocks, which hides each one's posts and comments from the other.
    const auto mirror = [&ctx](std::string_view topic, const json& payload) {
        try {
            if (!payload.is_object()) throw sdk::error("invalid_payload", "the payload must be an object");
            const std::string blocker = read_user_id(payload, "blocker");
            const std::string blocked = read_user_id(payload, "blocked");
            ctx.store.set_block(blocker, blocked, topic == "social:blocked", unix_ms());
        } catch (const std::exception& failure) {
            ctx.p.count("bus_rejected");
            ctx.p.log_warn(std::string(topic) + " from the bus refused: " + failure.what());
        }
    };
    ctx.p.subscribe("social:blocked", mirror);
    ctx.p.subscribe("social:unblocked", mirror);
}

}  // namespace switchboard::plugins::blog
