// collab: a Yjs document server that needs no Yjs. Clients speak the y-socket.io
// provider's protocol in a namespace per document ("/yjs|<name>"); every update is
// stored append-only and relayed as it came, a joiner gets the log then the live
// stream, readers' updates are refused, and a closed tab's awareness is removed.
// README.md documents the protocol, roles, events, codes and config keys.
#include <memory>
#include <string>

#include <switchboard/sdk.hpp>

#include "context.hpp"

namespace switchboard::plugins::collab {

std::optional<std::string> document_of(std::string_view nsp) {
    if (!nsp.starts_with(document_prefix) || nsp.size() == document_prefix.size()) return std::nullopt;
    return std::string(nsp.substr(document_prefix.size()));
}

role collab_context::role_of(const std::string& document, const std::string& owner, const std::string& user) {
    if (user == owner) return role::owner;
    if (const auto member = store.member_role(document, user)) {
        if (const auto parsed = parse_role(*member)) return *parsed;
    }
    return config.default_role;
}

namespace {

using sdk::json;

std::string read_string(const json& payload, const char* field, std::size_t max_bytes) {
    const auto it = payload.find(field);
    if (it == payload.end() || !it->is_string() || it->get_ref<const std::string&>().empty() ||
        it->get_ref<const std::string&>().size() > max_bytes)
        throw sdk::error("invalid_payload", std::string(field) + " must be a string of 1 to " +
                                                std::to_string(max_bytes) + " bytes");
    return it->get<std::string>();
}

const json& payload_of(const sdk::event& e) {
    if (!e.args.is_array() || e.args.empty() || !e.args[0].is_object())
        throw sdk::error("invalid_payload", "the payload must be an object");
    return e.args[0];
}

}  // namespace

void register_role_events(collab_context& ctx) {
    // {doc, user, role: "editor" | "reader" | null}: the owner gives or takes a role.
    ctx.p.serve(ctx.config.nsp, "collab:grant", [&ctx](sdk::event& e) -> json {
        const auto me = e.require_user();
        const auto& payload = payload_of(e);
        const auto doc = read_string(payload, "doc", 200);
        const auto user = read_string(payload, "user", 255);
        const auto given = payload.find("role");
        std::string role_text;
        if (given != payload.end() && !given->is_null()) {
            if (!given->is_string() || (*given != "editor" && *given != "reader"))
                throw sdk::error("invalid_payload", "role must be \"editor\", \"reader\" or null");
            role_text = given->get<std::string>();
        }
        const auto owner = ctx.store.owner_of(doc);
        if (!owner) throw sdk::error("not_found", "no such document");
        if (*owner != me) throw sdk::error("forbidden", "only the document's owner gives roles");
        if (user == me) throw sdk::error("invalid_payload", "the owner's role cannot change");
        ctx.store.set_member(doc, user, role_text);
        const auto now = role_text.empty() ? ctx.config.default_role : *parse_role(role_text);
        ctx.documents.set_role(doc, user, now);
        share_role(ctx, doc, user, role_name(now));
        return {{"doc", doc}, {"user", user}, {"role", role_name(now)}};
    });
    // {doc}: the caller's role there, and the owner.
    ctx.p.serve(ctx.config.nsp, "collab:role", [&ctx](sdk::event& e) -> json {
        const auto me = e.require_user();
        const auto doc = read_string(payload_of(e), "doc", 200);
        const auto owner = ctx.store.owner_of(doc);
        if (!owner) throw sdk::error("not_found", "no such document");
        return {{"doc", doc}, {"owner", *owner}, {"role", role_name(ctx.role_of(doc, *owner, me))}};
    });
}

namespace {

std::unique_ptr<collab_context> context;

void load(sdk::plugin& p) {
    context = std::make_unique<collab_context>(p, read_settings(p.config()));
    register_sync_events(*context);
    register_editing_events(*context);
    register_role_events(*context);
    register_cluster_sync(*context);
}

}  // namespace

}  // namespace switchboard::plugins::collab

SWITCHBOARD_PLUGIN("collab", "1.0.0", "Yjs documents over y-socket.io: append-only log, roles, awareness",
                   switchboard::plugins::collab::config_schema, switchboard::plugins::collab::load)
