// social: follows (with approval for private accounts), followers and following
// lists, friend requests and friendships, blocks. README.md documents every event,
// payload, ack, error code and config key.
#include <chrono>
#include <memory>

#include <switchboard/sdk.hpp>

#include "context.hpp"
#include "follow_events.hpp"
#include "friend_events.hpp"
#include "payload.hpp"
#include "presence_visibility.hpp"
#include "privacy_events.hpp"

namespace switchboard::plugins::social {

void tell(social_context& ctx, const std::string& user, const char* event, json payload, sdk::socket_id except) {
    sdk::target to = sdk::target::to_user(ctx.config.nsp, user);
    if (except) to.except(except);
    ctx.p.emit(to, event, json::array({std::move(payload)}));
}

void notify(social_context& ctx, const std::string& user, const char* type, const std::string& title, json data) {
    if (!ctx.config.notify) return;
    try {
        ctx.p.publish("notifications:send", {{"userId", user},
                                             {"type", std::string("social.") + type},
                                             {"title", title},
                                             {"message", ""},
                                             {"data", std::move(data)}});
    } catch (const std::exception& failure) {
        // The change is stored and pushed; a lost notification is not worth failing it.
        ctx.p.log_warn(std::string("notification not sent: ") + failure.what());
    }
}

std::string other_user(const sdk::event& e, const std::string& self) {
    std::string other = read_user_id(payload_of(e.args), "userId");
    if (other == self) throw sdk::error("invalid_payload", "userId must be another user");
    return other;
}

void require_lists_visible(social_context& ctx, const std::string& viewer, const std::string& owner) {
    if (viewer == owner) return;
    if (ctx.store.blocked_between(viewer, owner)) throw sdk::error("forbidden", "not possible with this user");
    if (ctx.store.is_private(owner) && ctx.store.follow_status(viewer, owner) != "active")
        throw sdk::error("forbidden", "this account is private: only its approved followers see its lists");
}

namespace {

// The handlers hold references into this; it lives as long as the library.
std::unique_ptr<social_context> context;

void load(sdk::plugin& p) {
    context = std::make_unique<social_context>(p, read_settings(p.config()));
    register_follow_events(*context);
    register_friend_events(*context);
    register_privacy_events(*context);
    register_presence_visibility(*context);
}

}  // namespace

}  // namespace switchboard::plugins::social

SWITCHBOARD_PLUGIN("social", "1.0.0", "Follows, private accounts, friend requests, friendships and blocks",
                   switchboard::plugins::social::config_schema, switchboard::plugins::social::load)
