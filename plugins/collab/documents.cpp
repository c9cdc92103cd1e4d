#include "documents.hpp"

#include <algorithm>

namespace switchboard::plugins::collab {

const char* role_name(role r) {
    switch (r) {
        case role::owner: return "owner";
        case role::editor: return "editor";
        case role::reader: return "reader";
        case role::none: break;
    }
    return "none";
}

std::optional<role> parse_role(const std::string& name) {
    if (name == "editor") return role::editor;
    if (name == "reader") return role::reader;
    if (name == "none") return role::none;
    return std::nullopt;
}

std::vector<std::shared_ptr<const stored_update>> document::missing_for(
    const std::map<std::uint64_t, std::uint64_t>& theirs) const {
    std::vector<std::shared_ptr<const stored_update>> out;
    for (const auto& update : updates) {
        bool covered = !update->summary.deletes;
        for (const auto& range : update->summary.ranges) {
            const auto it = theirs.find(range.client);
            if (it == theirs.end() || it->second < range.end) {
                covered = false;
                break;
            }
        }
        if (!covered) out.push_back(update);
    }
    return out;
}

void document::add(std::int64_t id, bytes data, update_summary summary) {
    known.add(summary);
    updates.push_back(std::make_shared<const stored_update>(stored_update{id, std::move(data), std::move(summary)}));
}

std::vector<std::int64_t> document::covered_by(const update_summary& full) const {
    std::vector<std::int64_t> out;
    for (const auto& update : updates)
        if (covers(full, update->summary)) out.push_back(update->id);
    return out;
}

void document::replace(const std::vector<std::int64_t>& removed, std::int64_t id, bytes data,
                       update_summary summary) {
    const std::set<std::int64_t> gone(removed.begin(), removed.end());
    std::erase_if(updates, [&](const auto& update) { return gone.contains(update->id); });
    if (!has(id)) add(id, std::move(data), std::move(summary));
}

bool document::has(std::int64_t id) const {
    return std::any_of(updates.begin(), updates.end(), [id](const auto& u) { return u->id == id; });
}

std::vector<awareness_entry> document::apply_awareness(socket_id socket, const std::vector<awareness_entry>& entries) {
    std::vector<awareness_entry> accepted;
    for (const auto& e : entries) {
        const auto it = awareness_.find(e.client);
        if (it != awareness_.end() && it->second.socket != socket) continue;
        if (it == awareness_.end() && e.state != "null") {
            const auto owned = std::count_if(awareness_.begin(), awareness_.end(),
                                             [&](const auto& entry) { return entry.second.socket == socket; });
            if (static_cast<std::size_t>(owned) >= max_awareness_clients) continue;
        }
        if (e.state == "null") {
            if (it != awareness_.end()) awareness_.erase(it);
        } else {
            awareness_[e.client] = {e.clock, e.state, socket};
        }
        accepted.push_back(e);
    }
    return accepted;
}

std::vector<awareness_entry> document::remove_awareness_of(socket_id socket) {
    std::vector<awareness_entry> removed;
    for (auto it = awareness_.begin(); it != awareness_.end();) {
        if (it->second.socket == socket) {
            // clock + 1: peers drop a state only for a newer clock than the one they have.
            removed.push_back({it->first, it->second.clock + 1, "null"});
            it = awareness_.erase(it);
        } else {
            ++it;
        }
    }
    return removed;
}

std::vector<awareness_entry> document::awareness_states() const {
    std::vector<awareness_entry> out;
    for (const auto& [client, s] : awareness_) out.push_back({client, s.clock, s.state});
    return out;
}

std::shared_ptr<document> document_registry::attach(socket_id socket, session s) {
    std::lock_guard lock(mutex_);
    auto& doc = documents_[s.document];
    if (!doc) {
        doc = std::make_shared<document>();
        doc->name = s.document;
    }
    sockets_of_[s.document].insert(socket);
    sessions_[socket] = std::move(s);
    return doc;
}

std::optional<session> document_registry::session_of(socket_id socket) const {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(socket);
    if (it == sessions_.end()) return std::nullopt;
    return it->second;
}

std::shared_ptr<document> document_registry::find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = documents_.find(name);
    return it == documents_.end() ? nullptr : it->second;
}

std::vector<socket_id> document_registry::sockets_in(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = sockets_of_.find(name);
    return it == sockets_of_.end() ? std::vector<socket_id>() : std::vector<socket_id>(it->second.begin(), it->second.end());
}

std::optional<document_registry::detached> document_registry::detach(socket_id socket) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(socket);
    if (it == sessions_.end()) return std::nullopt;
    const std::string name = it->second.document;
    detached out{std::move(it->second), documents_[name]};
    sessions_.erase(it);
    auto& sockets = sockets_of_[out.s.document];
    sockets.erase(socket);
    if (sockets.empty()) {
        sockets_of_.erase(out.s.document);
        documents_.erase(out.s.document);
    }
    return out;
}

void document_registry::set_role(const std::string& document, const std::string& user, role access) {
    std::lock_guard lock(mutex_);
    for (auto& [socket, s] : sessions_)
        if (s.document == document && s.user == user && s.access != role::owner) s.access = access;
}

}  // namespace switchboard::plugins::collab
