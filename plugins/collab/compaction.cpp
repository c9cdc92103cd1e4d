// Compaction: when a document's log holds `compact_after` updates, the server asks the
// writer that sent the last one for its whole document and lets that replace the log.
// The y-socket.io provider needs no new message for it: a sync step 1 with an empty
// state vector is answered with the client's full state as one update.
//
// Nothing is lost: in one database transaction and under the document's lock, only the
// updates the full state covers (every struct and every deletion of theirs is in it)
// are deleted, and it is inserted. An update that reached the server after the writer
// answered is not covered, so it stays. A reader is never asked: its full state could
// carry changes it was refused.
#include <chrono>

#include "context.hpp"

namespace switchboard::plugins::collab {

namespace {

void finish(collab_context& ctx, const std::shared_ptr<document>& doc, const std::string& user,
            const std::optional<sdk::json>& answer) {
    std::optional<bytes> full;
    if (answer && answer->is_array() && !answer->empty() && (*answer)[0].is_binary()) {
        const auto& b = (*answer)[0].get_binary();
        full = bytes(b.begin(), b.end());
    }
    auto summary = full ? summarize_update(*full) : std::nullopt;
    std::lock_guard lock(doc->mutex);
    doc->compacting = false;
    if (!summary) {
        ctx.p.count("compactions_failed");
        return;
    }
    const auto covered = doc->covered_by(*summary);
    // One update standing for one update gains nothing.
    if (covered.size() < 2) return;
    const auto id = ctx.store.replace(doc->name, covered, *full, user);
    share_compaction(ctx, doc->name, covered, id, *full);
    doc->replace(covered, id, std::move(*full), std::move(*summary));
    ctx.p.count("compactions");
    ctx.p.count("updates_compacted", static_cast<std::int64_t>(covered.size()));
}

}  // namespace

void request_full_state(collab_context& ctx, socket_id socket, std::shared_ptr<document> doc) {
    const auto s = ctx.documents.session_of(socket);
    if (!s || (s->access != role::owner && s->access != role::editor)) {
        std::lock_guard lock(doc->mutex);
        doc->compacting = false;
        return;
    }
    const bytes nothing_known = state_vector{}.encode();
    ctx.p.emit_with_ack(socket, "sync-step-1",
                        sdk::json::array({sdk::json::binary(std::vector<std::uint8_t>(nothing_known))}),
                        std::chrono::seconds(30), [&ctx, doc, user = s->user](std::optional<sdk::json> answer) {
                            try {
                                finish(ctx, doc, user, answer);
                            } catch (const std::exception& failure) {
                                // The transaction rolled back: the log is as it was.
                                ctx.p.log_error(std::string("collab: compaction of \"") + doc->name +
                                                "\" failed: " + failure.what());
                                std::lock_guard lock(doc->mutex);
                                doc->compacting = false;
                            }
                        });
}

}  // namespace switchboard::plugins::collab
