#include "reaction_events.hpp"

#include "payload.hpp"

namespace switchboard::plugins::blog {

namespace {

using sdk::target;

// A notification's title names the post; a long title is cut at a character boundary.
std::string short_title(const std::string& title) {
    constexpr std::size_t most = 60;
    if (utf8_length(title) <= most) return title;
    std::size_t chars = 0, i = 0;
    for (; i < title.size(); ++i)
        if ((static_cast<unsigned char>(title[i]) & 0xC0) != 0x80 && chars++ == most) break;
    return title.substr(0, i) + "…";
}

json on_like(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "postId");
    const auto want = read_optional_flag(payload, "liked");
    const post_row post = existing_post(ctx, id, user);
    like_result result;
    {
        // The change and its push under one lock: this node's watchers get each change
        // it made, in commit order. To every watcher of the post and of the feed, the
        // liker's sockets included: it is the count, not the event, that matters.
        std::lock_guard order(ctx.pushed.order_of(id));
        result = ctx.store.set_like(id, user, want, unix_ms());
        if (result.changed) push_likes_here(ctx, id, post.author, result.likes, result.version);
    }
    if (result.changed) {
        tell_likes(ctx, id, post.author, result.likes, result.version);
        ctx.p.count(result.liked ? "likes" : "unlikes");
        ctx.ranking.changed();
        if (result.liked)
            notify(ctx, post.author, user, "like", user + " liked \"" + short_title(post.title) + "\"",
                   {{"postId", id}, {"user", user}});
    }
    return {{"postId", id}, {"liked", result.liked}, {"likes", result.likes}};
}

json on_comment(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "postId");
    const auto parent_id = read_optional_id(payload, "parentId");
    const std::string body = read_text(payload, "body", ctx.config.max_comment_length);
    const post_row post = existing_post(ctx, id, user);
    std::optional<comment_row> parent;
    if (parent_id) {
        parent = ctx.store.comment(*parent_id, user);
        // A reply stays on its parent's post: another post's comment is as good as absent.
        if (!parent || parent->post != id)
            throw sdk::error("not_found", "no comment " + std::to_string(*parent_id) + " on post " + std::to_string(id));
    }
    const comment_row comment = ctx.store.add_comment(id, parent_id, user, body, unix_ms());
    ctx.p.count("comments_created");
    const json out = comment.to_json();
    target to = target::to_room(ctx.config.nsp, post_room(id)).except(e.socket);
    ctx.p.emit(hide_from_blocked(ctx, to, user), "blog:comment", json::array({out}));
    const json data = {{"postId", id}, {"commentId", comment.id}, {"user", user}};
    if (parent) notify(ctx, parent->author, user, "reply", user + " replied to your comment", data);
    if (!parent || parent->author != post.author)
        notify(ctx, post.author, user, "comment", user + " commented on \"" + short_title(post.title) + "\"", data);
    return out;
}

// A live comment on a live post, both visible to `viewer`.
comment_row existing_comment(blog_context& ctx, std::int64_t id, const std::string& viewer) {
    auto comment = ctx.store.comment(id, viewer);
    if (!comment || !ctx.store.post(comment->post, viewer))
        throw sdk::error("not_found", "no comment " + std::to_string(id));
    return std::move(*comment);
}

json on_comment_edit(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "commentId");
    const std::string body = read_text(payload, "body", ctx.config.max_comment_length);
    const comment_row comment = existing_comment(ctx, id, user);
    if (comment.author != user) throw sdk::error("forbidden", "only the author may edit a comment");
    const std::int64_t now = unix_ms();
    const std::int64_t not_before = edit_window_start(ctx.config, now);
    if (comment.created_at < not_before)
        throw sdk::error("edit_window_expired",
                         "comments can be edited for " + std::to_string(ctx.config.edit_window.count()) + " s");
    if (!ctx.store.edit_comment(id, user, body, now, not_before))
        throw sdk::error("not_found", "no comment " + std::to_string(id));
    const json edited = {{"id", id}, {"postId", comment.post}, {"body", body}, {"editedAt", now}};
    target to = target::to_room(ctx.config.nsp, post_room(comment.post)).except(e.socket);
    ctx.p.emit(hide_from_blocked(ctx, to, user), "blog:comment_edited", json::array({edited}));
    return edited;
}

json on_comment_delete(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::int64_t id = read_id(payload_of(e.args), "commentId");
    const comment_row comment = existing_comment(ctx, id, user);
    // The post's author moderates the comments under it.
    if (comment.author != user && existing_post(ctx, comment.post, user).author != user)
        throw sdk::error("forbidden", "only the comment's or the post's author may delete a comment");
    if (!ctx.store.delete_comment(id, comment.post, unix_ms()))
        throw sdk::error("not_found", "no comment " + std::to_string(id));
    const json deleted = {{"id", id}, {"postId", comment.post}};
    ctx.p.emit(target::to_room(ctx.config.nsp, post_room(comment.post)).except(e.socket), "blog:comment_deleted",
               json::array({deleted}));
    return deleted;
}

json on_comments(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args);
    const std::int64_t id = read_id(payload, "postId");
    const auto before = read_optional_id(payload, "before");
    const std::size_t limit = read_limit(payload, "limit", ctx.config.page_limit, max_page_limit);
    existing_post(ctx, id, user);
    auto found = ctx.store.comments(id, before, limit, user);
    return {{"postId", id}, {"comments", std::move(found.items)}, {"hasMore", found.has_more}};
}

}  // namespace

void register_reaction_events(blog_context& ctx) {
    const auto bind = [&ctx](json (*fn)(blog_context&, sdk::event&)) {
        return [&ctx, fn](sdk::event& e) { return fn(ctx, e); };
    };
    const auto& nsp = ctx.config.nsp;
    ctx.p.serve(nsp, "blog:like", bind(on_like));
    ctx.p.serve(nsp, "blog:comment", bind(on_comment));
    ctx.p.serve(nsp, "blog:comment_edit", bind(on_comment_edit));
    ctx.p.serve(nsp, "blog:comment_delete", bind(on_comment_delete));
    ctx.p.serve(nsp, "blog:comments", bind(on_comments));
}

}  // namespace switchboard::plugins::blog
