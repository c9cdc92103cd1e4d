// The y-socket.io 1.1 provider's protocol, served without Yjs:
//
//   client -> sync-step-1 (state vector, ack)   ack: an empty update, then each stored
//                                               update the client may lack as sync-update,
//                                               then our sync-step-1 (our state vector,
//                                               ack: what the client has that we lack)
//   client -> sync-update (update)              stored, relayed to the document's others
//   client -> awareness-update (message)        kept, relayed; removed on disconnect
//
// A document's sockets are its namespace "/yjs|<name>", as the provider connects.
// Every handler is pooled: they read and write the log.
#include <chrono>
#include <unordered_set>

#include "context.hpp"

namespace switchboard::plugins::collab {

namespace {

using sdk::json;
using sdk::target;

json binary(const bytes& data) { return json::binary(std::vector<std::uint8_t>(data.begin(), data.end())); }

std::optional<bytes> binary_arg(const sdk::event& e) {
    if (!e.args.is_array() || e.args.empty() || !e.args[0].is_binary()) return std::nullopt;
    const auto& b = e.args[0].get_binary();
    return bytes(b.begin(), b.end());
}

// An update from `socket` (sync-update, or its answer to our sync-step-1).
void receive_update(collab_context& ctx, socket_id socket, std::string_view event, bytes update) {
    const auto s = ctx.documents.session_of(socket);
    const auto doc = s ? ctx.documents.find(s->document) : nullptr;
    if (!doc) return;   // the socket left meanwhile
    if (update.size() > ctx.config.max_update_bytes)
        return tell(ctx, socket, event, "payload_too_large", "the update is larger than max_update_bytes");
    auto summary = summarize_update(update);
    if (!summary) return tell(ctx, socket, event, "invalid_payload", "not a Yjs v1 update");
    if (summary->empty()) return;   // "nothing new": the usual answer to a sync step 1
    if (s->access == role::reader) {
        ctx.p.count("updates_refused");
        return tell(ctx, socket, event, "forbidden", "read-only: your changes to this document are not kept");
    }
    bool compact = false;
    {
        std::lock_guard lock(doc->mutex);
        // Stored first: an update anyone has seen survives a restart.
        const auto id = ctx.store.append(doc->name, update, s->user);
        // The other nodes add it to their memory and relay it to their sockets.
        share_update(ctx, doc->name, id, update);
        relay_here(ctx, doc->name, socket, "sync-update", update);
        doc->add(id, std::move(update), std::move(*summary));
        // The writer that just sent an update has the newest state: ask it.
        if (ctx.config.compact_after > 0 && doc->updates.size() >= ctx.config.compact_after && !doc->compacting) {
            doc->compacting = true;
            compact = true;
        }
    }
    ctx.p.count("updates");
    if (compact) request_full_state(ctx, socket, doc);
}

template <class Fn>
void guarded(collab_context& ctx, const sdk::event& e, Fn fn) {
    try {
        fn();
    } catch (const sdk::database_error& failure) {
        ctx.p.log_error(e.name + " on " + e.nsp + ": " + failure.code() + ": " + failure.what());
        tell(ctx, e.socket, e.name, "unavailable", "the database failed; reconnect to resynchronize");
    } catch (const sdk::error& failure) {
        tell(ctx, e.socket, e.name, failure.code(), failure.what());
    } catch (const std::exception& failure) {
        ctx.p.log_error(e.name + " on " + e.nsp + " failed: " + failure.what());
        tell(ctx, e.socket, e.name, "internal_error", "the server failed to handle the event");
    }
}

// Updates in the log that this node's memory of the document lacks: stored by another
// node whose word never came (Redis was away). Added and relayed to this node's
// sockets as that word would have been. The caller holds the document's lock.
void catch_up_with_log(collab_context& ctx, document& doc) {
    std::unordered_set<std::int64_t> held;
    for (const auto& u : doc.updates) held.insert(u->id);
    std::vector<std::int64_t> missing;
    for (const auto id : ctx.store.ids(doc.name))
        if (!held.contains(id)) missing.push_back(id);
    if (missing.empty()) return;
    std::int64_t added = 0;
    for (auto& row : ctx.store.load(doc.name, missing)) {
        auto summary = summarize_update(row.data);
        if (!summary) continue;   // the first load said so already
        relay_here(ctx, doc.name, 0, "sync-update", row.data);
        doc.add(row.id, std::move(row.data), std::move(*summary));
        ++added;
    }
    if (added) ctx.p.count("updates_caught_up", added);
}

void sync_step_1(collab_context& ctx, sdk::event& e) {
    const auto open = enter(ctx, e);
    if (!open) return;
    const auto vector = binary_arg(e);
    const auto theirs = vector ? parse_state_vector(*vector) : std::nullopt;
    if (!theirs) return tell(ctx, e.socket, e.name, "invalid_payload", "sync-step-1 carries a Yjs state vector");
    std::vector<std::shared_ptr<const stored_update>> missing;
    bytes ours;
    std::vector<awareness_entry> present;
    {
        std::lock_guard lock(open->doc->mutex);
        catch_up_with_log(ctx, *open->doc);
        missing = open->doc->missing_for(*theirs);
        ours = open->doc->known.encode();
        present = open->doc->awareness_states();
        for (auto& entry : ctx.remote.of(open->doc->name)) present.push_back(std::move(entry));
    }
    // The provider applies one update from the ack; the log is many, so they follow as
    // sync-update events (applying them in any order gives the same document).
    e.ack(json::array({binary(empty_update())}));
    for (const auto& update : missing)
        ctx.p.emit(target::to_socket(e.socket), "sync-update", json::array({binary(update->data)}));
    const auto socket = e.socket;
    ctx.p.emit_with_ack(socket, "sync-step-1", json::array({binary(ours)}), std::chrono::seconds(30),
                        [&ctx, socket](std::optional<json> answer) {
                            if (!answer || !answer->is_array() || answer->empty() || !(*answer)[0].is_binary()) return;
                            const auto& b = (*answer)[0].get_binary();
                            try {
                                receive_update(ctx, socket, "sync-step-1", bytes(b.begin(), b.end()));
                            } catch (const std::exception& failure) {
                                ctx.p.log_error(std::string("sync-step-1 answer: ") + failure.what());
                                tell(ctx, socket, "sync-step-1", "unavailable",
                                     "the database failed; reconnect to resynchronize");
                            }
                        });
    if (!present.empty())
        ctx.p.emit(target::to_socket(e.socket), "awareness-update", json::array({binary(encode_awareness(present))}));
}

void sync_update(collab_context& ctx, sdk::event& e) {
    if (!enter(ctx, e)) return;
    auto update = binary_arg(e);
    if (!update) return tell(ctx, e.socket, e.name, "invalid_payload", "sync-update carries a Yjs update");
    receive_update(ctx, e.socket, e.name, std::move(*update));
}

void awareness_update(collab_context& ctx, sdk::event& e) {
    const auto open = enter(ctx, e);
    if (!open) return;
    const auto message = binary_arg(e);
    const auto entries = message ? parse_awareness(*message) : std::nullopt;
    if (!entries) return tell(ctx, e.socket, e.name, "invalid_payload", "awareness-update carries an awareness message");
    if (open->s.access == role::reader && !ctx.config.reader_awareness) return;
    std::lock_guard lock(open->doc->mutex);
    const auto accepted = open->doc->apply_awareness(e.socket, *entries);
    if (accepted.empty()) return;
    share_awareness(ctx, open->doc->name, accepted);
    relay_here(ctx, open->doc->name, e.socket, "awareness-update", encode_awareness(accepted));
}

}  // namespace

void relay_here(collab_context& ctx, const std::string& document, socket_id except, std::string_view event,
                const bytes& data) {
    const json args = json::array({binary(data)});
    for (const auto socket : ctx.documents.sockets_in(document))
        if (socket != except) ctx.p.emit(target::to_socket(socket), event, args);
}

// These events carry no ack for errors (the provider's acks expect bytes), so a
// refusal is a collab:error event to the socket.
void tell(collab_context& ctx, socket_id socket, std::string_view event, std::string_view code,
          std::string_view message) {
    ctx.p.emit(target::to_socket(socket), "collab:error",
               json::array({json{{"event", event}, {"code", code}, {"message", message}}}));
}

std::optional<opened> enter(collab_context& ctx, const sdk::event& e) {
    if (auto s = ctx.documents.session_of(e.socket)) {
        if (auto doc = ctx.documents.find(s->document)) return opened{std::move(*s), std::move(doc)};
    }
    const auto name = document_of(e.nsp);
    if (!name) return std::nullopt;
    const auto user = e.require_user();
    const auto owner = ctx.store.open(*name, user);
    const auto access = ctx.role_of(*name, owner, user);
    if (access == role::none) {
        tell(ctx, e.socket, e.name, "forbidden", "you have no access to this document");
        ctx.p.disconnect(e.socket);
        return std::nullopt;
    }
    auto doc = ctx.documents.attach(e.socket, session{*name, e.nsp, user, access});
    std::lock_guard lock(doc->mutex);
    if (!doc->loaded) {
        for (auto& row : ctx.store.load(*name)) {
            auto summary = summarize_update(row.data);
            if (!summary) {
                ctx.p.log_warn("collab: a stored update of \"" + *name + "\" is not a Yjs update; skipped");
                continue;
            }
            doc->add(row.id, std::move(row.data), std::move(*summary));
        }
        doc->loaded = true;
    }
    return opened{*ctx.documents.session_of(e.socket), doc};
}

void register_sync_events(collab_context& ctx) {
    // Every namespace: documents are namespaces, and which ones exist is the
    // deployment's list. Events in other namespaces are not ours and pass untouched.
    const auto on = [&ctx](const char* name, void (*fn)(collab_context&, sdk::event&)) {
        ctx.p.on("*", name, [&ctx, fn](sdk::event& e) {
            if (!document_of(e.nsp)) return;
            guarded(ctx, e, [&] { fn(ctx, e); });
        });
    };
    on("sync-step-1", &sync_step_1);
    on("sync-update", &sync_update);
    on("awareness-update", &awareness_update);

    // Pooled: after the socket's queued handlers, so nothing re-opens its session.
    ctx.p.on_disconnect([&ctx](const sdk::socket_info& s, std::string_view) {
        if (!document_of(s.nsp)) return;
        editing_disconnected(ctx, s.socket);
        const auto gone = ctx.documents.detach(s.socket);
        if (!gone) return;
        std::lock_guard lock(gone->doc->mutex);
        // The closed tab's cursor and name disappear for the others.
        const auto removed = gone->doc->remove_awareness_of(s.socket);
        if (removed.empty()) return;
        share_awareness(ctx, gone->doc->name, removed);
        relay_here(ctx, gone->doc->name, 0, "awareness-update", encode_awareness(removed));
    });
}

}  // namespace switchboard::plugins::collab
