// chat: public rooms, private rooms with invitations, direct conversations; messages
// with history, edits, deletions, reactions and read receipts; typing indicators.
// README.md documents every event, payload, ack, error code and config key.
#include <memory>
#include <string>
#include <utility>

#include <switchboard/sdk.hpp>

#include "context.hpp"
#include "direct_requests.hpp"
#include "message_events.hpp"
#include "room_events.hpp"
#include "typing_events.hpp"

namespace switchboard::plugins::chat {

chat_context::chat_context(sdk::plugin& plugin, settings s)
    : p(plugin),
      config(std::move(s)),
      store(plugin),
      graph(plugin),
      typing(config.typing_timeout,
             [&plugin, nsp = config.nsp](std::int64_t room, const std::string& user, bool typing) {
                 announce_typing(plugin, nsp, room, user, typing);
             }),
      limiter(config.rate_limit_messages, config.rate_limit_window),
      filter(config.banned_words) {}

std::string room_name(std::int64_t id) { return "chat:" + std::to_string(id); }

sdk::target room_except_sender(const chat_context& ctx, std::int64_t room, const sdk::event& e) {
    return sdk::target::to_room(ctx.config.nsp, room_name(room)).except(e.socket);
}

void serve(chat_context& ctx, std::string_view event, chat_handler fn, sdk::handler_options options) {
    options.error_event = "chat:error";   // typing:* too, as the README promises
    ctx.p.serve(ctx.config.nsp, event, [&ctx, fn](sdk::event& e) { return fn(ctx, e, e.require_user()); }, options);
}

namespace {

// The handlers hold references into this; it lives as long as the library, and the
// kernel loads a plugin once.
std::unique_ptr<chat_context> context;

void load(sdk::plugin& p) {
    context = std::make_unique<chat_context>(p, read_settings(p.config()));
    if (context->config.message_requests) context->graph.require_view();
    register_room_events(*context);
    register_message_events(*context);
    register_request_events(*context);
    register_typing_events(*context);
    register_disconnect_hooks(*context);
}

}  // namespace

}  // namespace switchboard::plugins::chat

SWITCHBOARD_PLUGIN("chat", "1.0.0", "Rooms, direct conversations, messages, reactions, read receipts and typing",
                   switchboard::plugins::chat::config_schema, switchboard::plugins::chat::load)
