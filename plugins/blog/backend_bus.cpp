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
}

}  // namespace switchboard::plugins::blog
