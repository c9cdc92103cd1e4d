#include "post_events.hpp"

#include "payload.hpp"

namespace switchboard::plugins::blog {

namespace {

using sdk::target;

// The post as a reader sees it: with whether this reader liked it.
json reader_view(blog_context& ctx, const post_row& post, const std::string& user) {
    json out = post.to_json();
    out["liked"] = ctx.store.liked(post.id, user);
    return out;
}

json on_create(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    return publish_post(ctx, user, payload_of(e.args), e.socket).to_json();
}

json on_edit(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "postId");
    const auto title = read_optional_text(payload, "title", ctx.config.max_title_length, true);
    const auto body = read_optional_text(payload, "body", ctx.config.max_body_length);
    if (!title && !body) throw sdk::error("invalid_payload", "give a title, a body or both");
    const post_row post = existing_post(ctx, id, user);
    if (post.author != user) throw sdk::error("forbidden", "only the author may edit a post");
    const std::int64_t now = unix_ms();
    const std::int64_t not_before = edit_window_start(ctx.config, now);
    if (post.created_at < not_before)
        throw sdk::error("edit_window_expired",
                         "posts can be edited for " + std::to_string(ctx.config.edit_window.count()) + " s");
    if (!ctx.store.edit_post(id, user, title, body, now, not_before))
        throw sdk::error("not_found", "no post " + std::to_string(id));
    json edited = existing_post(ctx, id, user).to_json();
    // The feed shows titles too. A socket in both rooms gets it once.
    target to = target::to_room(ctx.config.nsp, post_room(id)).except(e.socket);
    to.rooms.push_back(feed_room);
    ctx.p.emit(hide_from_blocked(ctx, to, user), "blog:post_edited", json::array({edited}));
    ctx.ranking.changed();
    return edited;
}

json on_delete(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::int64_t id = read_id(payload_of(e.args), "postId");
    const post_row post = existing_post(ctx, id, user);
    if (post.author != user) throw sdk::error("forbidden", "only the author may delete a post");
    if (!ctx.store.delete_post(id, user, unix_ms())) throw sdk::error("not_found", "no post " + std::to_string(id));
    const json deleted = {{"postId", id}};
    target to = target::to_room(ctx.config.nsp, post_room(id)).except(e.socket);
    to.rooms.push_back(feed_room);
    ctx.p.emit(hide_from_blocked(ctx, to, user), "blog:post_deleted", json::array({deleted}));
    announce_ranking_change(ctx);
    return deleted;
}

json on_get(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::int64_t id = read_id(payload_of(e.args), "postId");
    return reader_view(ctx, existing_post(ctx, id, user), user);
}

json on_list(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args, true);
    const auto before = read_optional_id(payload, "before");
    const auto author = read_optional_user_id(payload, "author");
    const std::size_t limit = read_limit(payload, "limit", ctx.config.page_limit, max_page_limit);
    auto found = ctx.store.posts(before, author, limit, user);
    return {{"posts", std::move(found.items)}, {"hasMore", found.has_more}};
}

json on_view(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::int64_t id = read_id(payload_of(e.args), "postId");
    existing_post(ctx, id, user);
    return {{"postId", id}, {"views", ctx.store.view(id, user, unix_ms())}};
}

json on_watch(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::int64_t id = read_id(payload_of(e.args), "postId");
    existing_post(ctx, id, user);
    // Join before reading: a like committed in between is then both in the answer and
    // pushed, never in neither.
    ctx.p.join(e.socket, post_room(id));
    ctx.p.join(e.socket, ctx.here(post_room(id)));
    json post = reader_view(ctx, existing_post(ctx, id, user), user);
    auto first = ctx.store.comments(id, std::nullopt, ctx.config.page_limit, user);
    return {{"post", std::move(post)}, {"comments", std::move(first.items)}, {"hasMore", first.has_more}};
}

json on_unwatch(blog_context& ctx, sdk::event& e) {
    e.require_user();
    const std::int64_t id = read_id(payload_of(e.args), "postId");
    ctx.p.leave(e.socket, post_room(id));
    ctx.p.leave(e.socket, ctx.here(post_room(id)));
    return {{"postId", id}};
}

json on_watch_feed(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::size_t limit = read_limit(payload_of(e.args, true), "limit", ctx.config.page_limit, max_page_limit);
    ctx.p.join(e.socket, feed_room);
    ctx.p.join(e.socket, ctx.here(feed_room));
    auto found = ctx.store.posts(std::nullopt, std::nullopt, limit, user);
    return {{"posts", std::move(found.items)}, {"hasMore", found.has_more}};
}

json on_unwatch_feed(blog_context& ctx, sdk::event& e) {
    e.require_user();
    payload_of(e.args, true);
    ctx.p.leave(e.socket, feed_room);
    ctx.p.leave(e.socket, ctx.here(feed_room));
    return json::object();
}

}  // namespace

post_row publish_post(blog_context& ctx, const std::string& author, const json& payload, sdk::socket_id except) {
    const std::string title = read_text(payload, "title", ctx.config.max_title_length, true);
    const std::string body = read_text(payload, "body", ctx.config.max_body_length);
    const post_row post = ctx.store.create_post(author, title, body, unix_ms());
    ctx.p.count("posts_created");
    target feed = target::to_room(ctx.config.nsp, feed_room);
    if (except) feed.except(except);
    ctx.p.emit(hide_from_blocked(ctx, feed, author), "blog:post", json::array({post.to_json()}));
    return post;
}

void register_post_events(blog_context& ctx) {
    const auto bind = [&ctx](json (*fn)(blog_context&, sdk::event&)) {
        return [&ctx, fn](sdk::event& e) { return fn(ctx, e); };
    };
    const auto& nsp = ctx.config.nsp;
    ctx.p.serve(nsp, "blog:create", bind(on_create));
    ctx.p.serve(nsp, "blog:edit", bind(on_edit));
    ctx.p.serve(nsp, "blog:delete", bind(on_delete));
    ctx.p.serve(nsp, "blog:get", bind(on_get));
    ctx.p.serve(nsp, "blog:list", bind(on_list));
    ctx.p.serve(nsp, "blog:view", bind(on_view));
    ctx.p.serve(nsp, "blog:watch", bind(on_watch));
    ctx.p.serve(nsp, "blog:unwatch", bind(on_unwatch));
    ctx.p.serve(nsp, "blog:watch_feed", bind(on_watch_feed));
    ctx.p.serve(nsp, "blog:unwatch_feed", bind(on_unwatch_feed));
}

}  // namespace switchboard::plugins::blog
