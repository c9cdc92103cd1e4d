#include "friend_events.hpp"

#include "payload.hpp"
#include "presence_visibility.hpp"

namespace switchboard::plugins::social {

namespace {

// Both sides' devices, but the socket whose event caused it (its ack tells it).
void tell_both(social_context& ctx, const sdk::event& e, const std::string& self, const std::string& other,
               const char* event, const json& payload) {
    tell(ctx, self, event, payload, e.socket);
    tell(ctx, other, event, payload);
}

json on_request(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string other = other_user(e, user);
    // The store orders the pair's changes (its pair lock), on every node.
    const friend_outcome outcome = ctx.store.request_friend(user, other, unix_ms());
    switch (outcome) {
    case friend_outcome::sent:
        tell(ctx, other, "social:friend_request_received", {{"from", user}, {"to", other}});
        tell(ctx, user, "social:friend_request_sent", {{"from", user}, {"to", other}}, e.socket);
        notify(ctx, other, "friend_request", user + " sent you a friend request", {{"userId", user}});
        ctx.p.count("friend_requests");
        return {{"userId", other}, {"status", "sent"}};
    case friend_outcome::already_sent:
        return {{"userId", other}, {"status", "sent"}};
    case friend_outcome::accepted:
        // They had asked first: asking back is saying yes.
        tell_both(ctx, e, user, other, "social:friend_request_accepted", {{"from", other}, {"to", user}});
        notify(ctx, other, "friend_accepted", user + " accepted your friend request", {{"userId", user}});
        return {{"userId", other}, {"status", "friends"}};
    case friend_outcome::already_friends:
        break;
    }
    return {{"userId", other}, {"status", "friends"}};
}

json on_accept(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string from = other_user(e, user);
    const bool accepted = ctx.store.accept_friend(user, from, unix_ms());
    if (!accepted) throw sdk::error("not_found", "no friend request from " + from);
    tell_both(ctx, e, user, from, "social:friend_request_accepted", {{"from", from}, {"to", user}});
    notify(ctx, from, "friend_accepted", user + " accepted your friend request", {{"userId", user}});
    return {{"userId", from}, {"status", "friends"}};
}

json on_reject(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string from = other_user(e, user);
    if (!ctx.store.drop_request(from, user)) throw sdk::error("not_found", "no friend request from " + from);
    tell_both(ctx, e, user, from, "social:friend_request_rejected", {{"from", from}, {"to", user}});
    return {{"userId", from}, {"status", nullptr}};
}

json on_cancel(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string to = other_user(e, user);
    if (!ctx.store.drop_request(user, to)) throw sdk::error("not_found", "no friend request to " + to);
    tell_both(ctx, e, user, to, "social:friend_request_cancelled", {{"from", user}, {"to", to}});
    return {{"userId", to}, {"status", nullptr}};
}

json on_unfriend(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    const std::string other = other_user(e, user);
    if (!ctx.store.unfriend(user, other)) throw sdk::error("not_found", "not friends with " + other);
    recheck_presence(ctx, user, other);
    tell_both(ctx, e, user, other, "social:friendship_ended", {{"from", user}, {"to", other}});
    return {{"userId", other}, {"status", nullptr}};
}

json on_requests(social_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    payload_of(e.args, true);
    return ctx.store.friend_requests(user);
}

}  // namespace

void register_friend_events(social_context& ctx) {
    const auto bind = [&ctx](json (*fn)(social_context&, sdk::event&)) {
        return [&ctx, fn](sdk::event& e) { return fn(ctx, e); };
    };
    const auto& nsp = ctx.config.nsp;
    ctx.p.serve(nsp, "social:friend_request", bind(on_request));
    ctx.p.serve(nsp, "social:friend_accept", bind(on_accept));
    ctx.p.serve(nsp, "social:friend_reject", bind(on_reject));
    ctx.p.serve(nsp, "social:friend_cancel", bind(on_cancel));
    ctx.p.serve(nsp, "social:unfriend", bind(on_unfriend));
    ctx.p.serve(nsp, "social:friend_requests", bind(on_requests));
}

}  // namespace switchboard::plugins::social
