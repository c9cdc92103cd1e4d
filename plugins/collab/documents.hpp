// The documents open on this node, in memory: their updates (loaded from the log at
// first use, then appended to), what they hold (a state vector), the awareness of the
// clients connected to them, and which socket is in which document with which role.
// No I/O and no emits: the plugin does those with what these return.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "y_protocol.hpp"

namespace switchboard::plugins::collab {

using socket_id = std::uint64_t;

enum class role { none, reader, editor, owner };
const char* role_name(role r);
// "editor", "reader" or "none"; nullopt otherwise.
std::optional<role> parse_role(const std::string& name);

inline constexpr std::size_t max_awareness_clients = 8;

struct stored_update {
    std::int64_t id = 0;   // its row in collab_updates
    bytes data;
    update_summary summary;
};

struct document {
    std::string name;
    // Held while loading, appending (store, memory, broadcast in one step) and taking a
    // joiner's snapshot: an update is either in the snapshot or broadcast after it.
    std::mutex mutex;
    bool loaded = false;
    std::vector<std::shared_ptr<const stored_update>> updates;
    state_vector known;

    // The updates a peer whose state vector is `theirs` may lack: all but those whose
    // structs all lie below its clocks and that delete nothing.
    std::vector<std::shared_ptr<const stored_update>> missing_for(
        const std::map<std::uint64_t, std::uint64_t>& theirs) const;

    void add(std::int64_t id, bytes data, update_summary summary);
    // Whether update `id` is held (another node's update may be in the log already).
    bool has(std::int64_t id) const;

    // Compaction: a writer's full state replaces the updates it covers.
    bool compacting = false;   // a full state was asked for and not answered yet
    // The ids of the updates `full` covers (those that arrived after the writer
    // answered are not covered, and stay).
    std::vector<std::int64_t> covered_by(const update_summary& full) const;
    // Drops the `removed` updates and appends the full state in their place (unless
    // held already: read from the log before another node's word of it came).
    void replace(const std::vector<std::int64_t>& removed, std::int64_t id, bytes data, update_summary summary);

    // Awareness: a client id belongs to the first socket that announced it; entries
    // for a client id of another socket are dropped (no one speaks for another tab),
    // and so are new ids past max_awareness_clients of one socket (a provider has one
    // per document; the bound keeps a client from filling the server's memory).
    // Returns the accepted entries, to relay.
    std::vector<awareness_entry> apply_awareness(socket_id socket, const std::vector<awareness_entry>& entries);
    // The socket's clients leave: their removal entries (state null, clock + 1).
    std::vector<awareness_entry> remove_awareness_of(socket_id socket);
    // Every present client's state, for a joiner.
    std::vector<awareness_entry> awareness_states() const;

private:
    struct awareness_state {
        std::uint64_t clock = 0;
        std::string state;
        socket_id socket = 0;
    };
    std::map<std::uint64_t, awareness_state> awareness_;
};

struct session {
    std::string document;
    std::string nsp;
    std::string user;
    role access = role::none;
};

class document_registry {
public:
    // Puts the socket in the document (created empty, not loaded, if nobody had it open).
    std::shared_ptr<document> attach(socket_id socket, session s);
    std::optional<session> session_of(socket_id socket) const;
    std::shared_ptr<document> find(const std::string& name) const;
    // This node's sockets in the document.
    std::vector<socket_id> sockets_in(const std::string& name) const;

    struct detached {
        session s;
        std::shared_ptr<document> doc;
    };
    // Takes the socket out; the last one out drops the document from memory (the log
    // has everything).
    std::optional<detached> detach(socket_id socket);

    // A role changed: the user's open sessions in the document take it at once.
    void set_role(const std::string& document, const std::string& user, role access);

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<document>> documents_;
    std::map<std::string, std::set<socket_id>> sockets_of_;
    std::map<socket_id, session> sessions_;
};

}  // namespace switchboard::plugins::collab
