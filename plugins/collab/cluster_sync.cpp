#include "cluster_sync.hpp"

#include <algorithm>

#include <switchboard/sdk/other_nodes.hpp>

#include "context.hpp"

namespace switchboard::plugins::collab {

namespace {

using sdk::json;

constexpr std::string_view channel = "collab:cluster";

void tell_others(collab_context& ctx, json message) { sdk::tell_other_nodes(ctx.p, channel, std::move(message)); }

bytes read_data(const json& message) {
    const auto data = message.is_object() ? message.value("data", json()) : json();
    const auto decoded = data.is_string() ? from_base64(data.get<std::string>()) : std::nullopt;
    if (!decoded) throw sdk::error("invalid_payload", "data is not base64");
    return *decoded;
}

std::string read_document(const json& message) {
    const auto name = message.value("doc", json());
    if (!name.is_string()) throw sdk::error("invalid_payload", "doc must be a string");
    return name.get<std::string>();
}

// The document when this node has it open: the others' changes are added to it and
// relayed to its sockets here. A document that is not open has none, and the log has
// the update by the time it is loaded (the sender stored it before telling).
void apply_update(collab_context& ctx, const json& message) {
    const auto name = read_document(message);
    const auto id = message.value("id", json());
    if (!id.is_number_integer()) throw sdk::error("invalid_payload", "id must be an integer");
    auto data = read_data(message);
    auto summary = summarize_update(data);
    if (!summary) throw sdk::error("invalid_payload", "not a Yjs v1 update");
    const auto doc = ctx.documents.find(name);
    if (!doc) return;
    std::lock_guard lock(doc->mutex);
    // Held already when this node loaded the document after it was stored. A socket
    // here that took its snapshot before has it relayed now, one that takes it later
    // finds it in memory: either way under this lock.
    if (!doc->loaded || doc->has(id.get<std::int64_t>())) return;
    relay_here(ctx, name, 0, "sync-update", data);
    doc->add(id.get<std::int64_t>(), std::move(data), std::move(*summary));
}

void apply_compaction(collab_context& ctx, const json& message) {
    const auto id = message.value("id", json());
    const auto removed = message.value("removed", json());
    if (!id.is_number_integer() || !removed.is_array()) throw sdk::error("invalid_payload", "id and removed");
    std::vector<std::int64_t> ids;
    for (const auto& r : removed)
        if (r.is_number_integer()) ids.push_back(r.get<std::int64_t>());
    auto data = read_data(message);
    auto summary = summarize_update(data);
    if (!summary) throw sdk::error("invalid_payload", "not a Yjs v1 update");
    const auto doc = ctx.documents.find(read_document(message));
    if (!doc) return;
    std::lock_guard lock(doc->mutex);
    // Its clients have every update it covers: nothing to relay.
    if (doc->loaded) doc->replace(ids, id.get<std::int64_t>(), std::move(data), std::move(*summary));
}

void apply_awareness(collab_context& ctx, const json& message) {
    const auto name = read_document(message);
    const auto entries = parse_awareness(read_data(message));
    if (!entries) throw sdk::error("invalid_payload", "not an awareness message");
    // Kept first, then looked for the document: a joiner's snapshot taken before this
    // is on a socket that is attached by now, so it gets the relay; one taken after
    // has the entries.
    const auto changed = ctx.remote.apply(name, *entries);
    if (changed.empty()) return;
    const auto doc = ctx.documents.find(name);
    if (!doc) return;
    std::lock_guard lock(doc->mutex);
    relay_here(ctx, name, 0, "awareness-update", encode_awareness(changed));
}

void apply_role(collab_context& ctx, const json& message) {
    const auto name = message.value("doc", json());
    const auto user = message.value("user", json());
    const auto given = message.value("role", json());
    const auto parsed = given.is_string() ? parse_role(given.get<std::string>()) : std::nullopt;
    if (!name.is_string() || !user.is_string() || !parsed) throw sdk::error("invalid_payload", "doc, user and role");
    ctx.documents.set_role(name.get<std::string>(), user.get<std::string>(), *parsed);
}

}  // namespace

std::vector<awareness_entry> remote_awareness::apply(const std::string& document,
                                                     const std::vector<awareness_entry>& entries) {
    std::lock_guard lock(mutex_);
    std::vector<awareness_entry> changed;
    auto& clients = documents_[document];
    for (const auto& e : entries) {
        const auto it = clients.find(e.client);
        if (it != clients.end() && it->second.clock > e.clock) continue;   // an older message
        changed.push_back(e);
        if (e.state == "null") {
            if (it != clients.end()) clients.erase(it);
        } else {
            clients[e.client] = e;
        }
    }
    if (clients.empty()) documents_.erase(document);
    return changed;
}

std::vector<awareness_entry> remote_awareness::of(const std::string& document) const {
    std::lock_guard lock(mutex_);
    std::vector<awareness_entry> out;
    if (const auto it = documents_.find(document); it != documents_.end())
        for (const auto& [client, e] : it->second) out.push_back(e);
    return out;
}

void share_update(collab_context& ctx, const std::string& document, std::int64_t id, const bytes& data) {
    tell_others(ctx, {{"op", "update"}, {"doc", document}, {"id", id}, {"data", to_base64(data)}});
}

void share_compaction(collab_context& ctx, const std::string& document, const std::vector<std::int64_t>& removed,
                      std::int64_t id, const bytes& data) {
    tell_others(ctx, {{"op", "compacted"}, {"doc", document}, {"removed", removed}, {"id", id}, {"data", to_base64(data)}});
}

void share_awareness(collab_context& ctx, const std::string& document, const std::vector<awareness_entry>& entries) {
    if (entries.empty()) return;
    tell_others(ctx, {{"op", "awareness"}, {"doc", document}, {"data", to_base64(encode_awareness(entries))}});
}

void share_role(collab_context& ctx, const std::string& document, const std::string& user, const char* role) {
    tell_others(ctx, {{"op", "role"}, {"doc", document}, {"user", user}, {"role", role}});
}

void register_cluster_sync(collab_context& ctx) {
    sdk::on_other_nodes(ctx.p, channel,
                        {{"update", [&ctx](const json& message) { apply_update(ctx, message); }},
                         {"compacted", [&ctx](const json& message) { apply_compaction(ctx, message); }},
                         {"awareness", [&ctx](const json& message) { apply_awareness(ctx, message); }},
                         {"role", [&ctx](const json& message) { apply_role(ctx, message); }}});
}

}  // namespace switchboard::plugins::collab
