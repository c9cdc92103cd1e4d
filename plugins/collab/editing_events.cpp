// "User-editing" indicators for clients without Yjs awareness, in the document's
// namespace like the provider's events: editing:start / editing:stop, announced to the
// document's other sockets (not the editor's own devices) once per change of state.
#include <algorithm>

#include "context.hpp"

namespace switchboard::plugins::collab {

namespace {

using sdk::json;
using sdk::target;

void announce(collab_context& ctx, const editing_tracker::key& who, bool editing, std::string_view reason = {}) {
    json payload{{"user", who.second}};
    if (!editing) payload["reason"] = reason;
    ctx.p.emit(target::to_namespace(who.first).except("user:" + who.second), editing ? "editing:start" : "editing:stop",
               json::array({payload}));
}

// Answers the ack the platform's way when there is one; else a refusal is collab:error.
template <class Fn>
void handle(collab_context& ctx, sdk::event& e, Fn fn) {
    if (!document_of(e.nsp)) return;
    try {
        const auto open = enter(ctx, e);
        if (!open) {
            if (e.wants_ack()) e.fail("forbidden", "you have no access to this document");
            return;
        }
        const json result = fn(*open);
        if (e.wants_ack()) e.reply(result);
    } catch (const sdk::database_error& failure) {
        ctx.p.log_error(e.name + ": " + failure.what());
        if (e.wants_ack()) e.fail("unavailable", "the database failed, try again");
        else tell(ctx, e.socket, e.name, "unavailable", "the database failed, try again");
    } catch (const sdk::error& failure) {
        if (e.wants_ack()) e.fail(failure.code(), failure.what());
        else tell(ctx, e.socket, e.name, failure.code(), failure.what());
    }
}

}  // namespace

void editing_disconnected(collab_context& ctx, socket_id socket) {
    for (const auto& who : ctx.editing.disconnected(socket)) announce(ctx, who, false, "disconnected");
}

void register_editing_events(collab_context& ctx) {
    // Pooled like the provider's events: the first event of a socket opens its session,
    // which reads the database.
    ctx.p.on("*", "editing:start", [&ctx](sdk::event& e) {
        handle(ctx, e, [&](const opened& open) -> json {
            if (open.s.access == role::reader) throw sdk::error("forbidden", "readers do not edit this document");
            const editing_tracker::key who{open.s.nsp, open.s.user};
            if (ctx.editing.start(who, e.socket, editing_tracker::clock::now())) announce(ctx, who, true);
            return {{"user", open.s.user}};
        });
    });
    ctx.p.on("*", "editing:stop", [&ctx](sdk::event& e) {
        handle(ctx, e, [&](const opened& open) -> json {
            const editing_tracker::key who{open.s.nsp, open.s.user};
            if (ctx.editing.stop(who)) announce(ctx, who, false, "stopped");
            return {{"user", open.s.user}};
        });
    });
    // One sweep for every editor instead of a timer per editing:start.
    const auto period = std::clamp(ctx.config.editing_timeout / 10, std::chrono::milliseconds(20),
                                   std::chrono::milliseconds(500));
    ctx.p.start_timer(period, period, [&ctx] {
        for (const auto& who : ctx.editing.expire(editing_tracker::clock::now())) announce(ctx, who, false, "timeout");
    }, sdk::handler_options{true});
}

}  // namespace switchboard::plugins::collab
