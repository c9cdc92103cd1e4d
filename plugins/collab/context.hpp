// What the handlers share: the SDK handle, the settings, the store and the open
// documents. One instance lives from load to unload.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <switchboard/sdk.hpp>

#include "cluster_sync.hpp"
#include "documents.hpp"
#include "editing_tracker.hpp"
#include "settings.hpp"
#include "store.hpp"

namespace switchboard::plugins::collab {

struct collab_context {
    collab_context(sdk::plugin& plugin, settings s)
        : p(plugin), config(std::move(s)), store(plugin), editing(config.editing_timeout) {}

    sdk::plugin& p;
    const settings config;
    collab_store store;
    document_registry documents;
    editing_tracker editing;
    remote_awareness remote;   // clients of the documents on the other nodes

    // The role of `user` in `document` as stored: owner, member role, or the default.
    role role_of(const std::string& document, const std::string& owner, const std::string& user);
};

// The document a namespace serves ("/yjs|notes" -> "notes"); nullopt for other namespaces.
std::optional<std::string> document_of(std::string_view nsp);

struct opened {
    session s;
    std::shared_ptr<document> doc;
};

// The socket's session in the document its namespace serves, opened at its first
// event: the document is created (owned by this user) when new, the role looked up,
// the log loaded when nobody had it open. nullopt (the client was told why) when the
// socket may not use it.
std::optional<opened> enter(collab_context& ctx, const sdk::event& e);

// Sends `event` with `data` to this node's sockets in `document` but `except` (0: all).
// Relays go to this node's sockets only, under the document's lock: every node relays
// what reaches it (cluster_sync.hpp), so a joiner's snapshot and the relays after it
// never miss one another.
void relay_here(collab_context& ctx, const std::string& document, socket_id except, std::string_view event,
                const bytes& data);

// A refusal as a collab:error {event, code, message} to the socket.
void tell(collab_context& ctx, socket_id socket, std::string_view event, std::string_view code,
          std::string_view message);

// The y-socket.io provider protocol: sync-step-1, sync-update, awareness-update, and
// awareness removal on disconnect.
void register_sync_events(collab_context& ctx);

// Asks `socket` (a writer of `doc`, whose `compacting` the caller set) for its full
// state, which then replaces the part of the log it covers.
void request_full_state(collab_context& ctx, socket_id socket, std::shared_ptr<document> doc);

// editing:start / editing:stop indicators in document namespaces.
void register_editing_events(collab_context& ctx);
// The socket left: the users it was editing for stop (called by the disconnect hook).
void editing_disconnected(collab_context& ctx, socket_id socket);

// collab:grant and collab:role on the configured namespace.
void register_role_events(collab_context& ctx);

}  // namespace switchboard::plugins::collab
