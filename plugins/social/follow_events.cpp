#include "follow_events.hpp"

#include "payload.hpp"
#include "presence_visibility.hpp"

namespace switchboard::plugins::social {

namespace {

json on_follow(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string target = other_user(e, user);
    bool created = false;
    const std::string status = ctx.store.follow(user, target, unix_ms(), created);
    const bool active = status == "active";
    if (created) {
        tell(ctx, target, active ? "social:followed" : "social:follow_requested", {{"userId", user}});
        notify(ctx, target, active ? "follow" : "follow_request",
               active ? user + " started following you" : user + " asked to follow you", {{"userId", user}});
        ctx.p.count(active ? "follows" : "follow_requests");
    }
    return {{"userId", target}, {"status", active ? "following" : "requested"}, {"created", created}};
}

json on_unfollow(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string target = other_user(e, user);
    const bool removed = ctx.store.unfollow(user, target);
    if (removed) recheck_presence(ctx, user, target);
    return {{"userId", target}, {"removed", removed}};
}

json on_approve(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string follower = other_user(e, user);
    if (!ctx.store.approve(user, follower)) throw sdk::error("not_found", "no follow request from " + follower);
    tell(ctx, follower, "social:follow_approved", {{"userId", user}});
    tell(ctx, user, "social:followed", {{"userId", follower}}, e.socket);
    return {{"userId", follower}, {"status", "following"}};
}

json on_decline(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string follower = other_user(e, user);
    if (!ctx.store.decline(user, follower)) throw sdk::error("not_found", "no follow request from " + follower);
    tell(ctx, follower, "social:follow_declined", {{"userId", user}});
    return {{"userId", follower}, {"status", nullptr}};
}

// {userId?, after?, limit?}: the caller's own list when userId is absent.
template <user_page (graph_store::*list)(const std::string&, const std::optional<std::string>&, std::size_t)>
json on_list(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args, true);
    const std::string owner = read_optional_user_id(payload, "userId").value_or(user);
    const auto after = read_optional_user_id(payload, "after");
    const std::size_t limit = read_limit(payload, "limit", ctx.config.page_limit, max_page_limit);
    require_lists_visible(ctx, user, owner);
    auto page = (ctx.store.*list)(owner, after, limit);
    const auto counts = ctx.store.counts(owner);
    return {{"userId", owner},
            {"users", std::move(page.users)},
            {"hasMore", page.has_more},
            {"counts", {{"followers", counts.followers}, {"following", counts.following}, {"friends", counts.friends}}}};
}

json on_follow_requests(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args, true);
    const auto after = read_optional_user_id(payload, "after");
    const std::size_t limit = read_limit(payload, "limit", ctx.config.page_limit, max_page_limit);
    auto page = ctx.store.follow_requests(user, after, limit);
    return {{"users", std::move(page.users)}, {"hasMore", page.has_more}};
}

}  // namespace

void register_follow_events(social_context& ctx) {
    const auto bind = [&ctx](json (*fn)(social_context&, sdk::event&)) {
        return [&ctx, fn](sdk::event& e) { return fn(ctx, e); };
    };
    const auto& nsp = ctx.config.nsp;
    ctx.p.serve(nsp, "social:follow", bind(on_follow));
    ctx.p.serve(nsp, "social:unfollow", bind(on_unfollow));
    ctx.p.serve(nsp, "social:approve", bind(on_approve));
    ctx.p.serve(nsp, "social:decline", bind(on_decline));
    ctx.p.serve(nsp, "social:followers", bind(on_list<&graph_store::followers>));
    ctx.p.serve(nsp, "social:following", bind(on_list<&graph_store::following>));
    ctx.p.serve(nsp, "social:friends", bind(on_list<&graph_store::friends>));
    ctx.p.serve(nsp, "social:follow_requests", bind(on_follow_requests));
}

}  // namespace switchboard::plugins::social
