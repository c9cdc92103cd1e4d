#include "privacy_events.hpp"

#include "payload.hpp"
#include "presence_visibility.hpp"

namespace switchboard::plugins::social {

namespace {

json on_privacy(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const auto is_private = read_optional_flag(payload_of(e.args), "private");
    if (!is_private) throw sdk::error("invalid_payload", "private is required");
    ctx.store.set_private(user, *is_private, unix_ms());
    json approved = json::array();
    // A public account has no requests: the pending ones become follows.
    if (!*is_private) {
        approved = ctx.store.approve_all(user);
        for (const auto& follower : approved) {
            tell(ctx, follower.get<std::string>(), "social:follow_approved", {{"userId", user}});
            tell(ctx, user, "social:followed", {{"userId", follower}}, e.socket);
        }
    }
    return {{"private", *is_private}, {"approved", std::move(approved)}};
}

json on_block(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string other = other_user(e, user);
    const block_outcome outcome = ctx.store.block(user, other, unix_ms());
    recheck_presence(ctx, user, other);
    if (outcome.added) {
        ctx.p.count("blocks");
        // For the plugins that hide what blocked users wrote (the blog).
        ctx.p.publish("social:blocked", {{"blocker", user}, {"blocked", other}});
    }
    // The blocked user is told nothing: a block is the blocker's business. The
    // blocker's other devices learn the relations that ended.
    if (outcome.ended_friendship) tell(ctx, user, "social:friendship_ended", {{"from", user}, {"to", other}}, e.socket);
    return {{"userId", other}, {"blocked", true}, {"endedFriendship", outcome.ended_friendship}};
}

json on_unblock(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string other = other_user(e, user);
    const bool removed = ctx.store.unblock(user, other);
    if (removed) ctx.p.publish("social:unblocked", {{"blocker", user}, {"blocked", other}});
    return {{"userId", other}, {"blocked", false}, {"removed", removed}};
}

json on_blocks(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const json& payload = payload_of(e.args, true);
    const auto after = read_optional_user_id(payload, "after");
    const std::size_t limit = read_limit(payload, "limit", ctx.config.page_limit, max_page_limit);
    auto page = ctx.store.blocks(user, after, limit);
    return {{"users", std::move(page.users)}, {"hasMore", page.has_more}};
}

json nullable(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }

json on_profile(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string owner = read_optional_user_id(payload_of(e.args, true), "userId").value_or(user);
    json relation = nullptr;
    if (owner != user) {
        // Blocked by them: nothing about them, the same refusal as any blocked action.
        if (ctx.store.has_blocked(owner, user)) throw sdk::error("forbidden", "not possible with this user");
        const json requests = ctx.store.friend_requests(user);
        const auto has = [](const json& list, const std::string& id) {
            for (const auto& item : list)
                if (item["userId"] == id) return true;
            return false;
        };
        relation = {{"following", nullable(ctx.store.follow_status(user, owner))},
                    {"followedBy", nullable(ctx.store.follow_status(owner, user))},
                    {"friends", ctx.store.are_friends(user, owner)},
                    {"friendRequest", has(requests["sent"], owner) ? json("sent")
                                      : has(requests["received"], owner) ? json("received") : json(nullptr)},
                    {"blocked", ctx.store.has_blocked(user, owner)}};
    }
    const auto counts = ctx.store.counts(owner);
    return {{"userId", owner},
            {"private", ctx.store.is_private(owner)},
            {"counts", {{"followers", counts.followers}, {"following", counts.following}, {"friends", counts.friends}}},
            {"relation", std::move(relation)}};
}

}  // namespace

void register_privacy_events(social_context& ctx) {
    const auto bind = [&ctx](json (*fn)(social_context&, sdk::event&)) {
        return [&ctx, fn](sdk::event& e) { return fn(ctx, e); };
    };
    const auto& nsp = ctx.config.nsp;
    ctx.p.serve(nsp, "social:privacy", bind(on_privacy));
    ctx.p.serve(nsp, "social:block", bind(on_block));
    ctx.p.serve(nsp, "social:unblock", bind(on_unblock));
    ctx.p.serve(nsp, "social:blocks", bind(on_blocks));
    ctx.p.serve(nsp, "social:profile", bind(on_profile));
}

}  // namespace switchboard::plugins::social
