#include "kernel/plugins/event_dispatcher.hpp"

#include <chrono>

#include "kernel/core/log.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/worker.hpp"
#include "kernel/plugins/sdk_strings.hpp"
#include "kernel/plugins/socket_snapshot.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;

namespace {

std::size_t encoded_size(const socketio::encoded_arguments& args) {
    std::size_t total = args.text.size();
    for (const auto& bytes : args.attachments) total += bytes.size();
    return total;
}

// A client event, owned, for a pooled handler: the arguments are the client's own text
// (placeholders intact) and attachments, as the Socket.IO layer decoded them.
struct event_copy {
    std::uint64_t socket = 0;
    std::string nsp, name, user_json;
    socketio::encoded_arguments args;
    std::vector<switchboard_str_t> attachments;   // views of args.attachments
    std::int64_t ack_id = -1;
    std::shared_ptr<const log::context> log_fields;   // the socket's, on the handlers' log lines
    std::shared_ptr<const socket_snapshot> identity;   // id, auth, handshake, dialect: once per socket

    switchboard_event_t view_of() const {
        switchboard_event_t e{};
        e.struct_size = sizeof e;
        e.socket = socket;
        e.nsp = view(nsp);
        e.event = view(name);
        e.args_json = view(args.text);
        e.attachments = attachments.data();
        e.attachment_count = attachments.size();
        e.ack_id = ack_id;
        e.user_json = view(user_json);
        e.id = view(identity->id);
        e.auth_json = view(identity->auth_json);
        e.handshake_json = view(identity->handshake_json);
        e.dialect_json = view(identity->dialect_json);
        return e;
    }
};


}  // namespace

// How far past max_pooled_events / max_pooled_bytes a socket's queue may grow before
// the socket is refused. Reading stops at the bound itself, so only what was already
// read past it (the events dispatched by the message that reached it) lands in between;
// a client that goes further is not waiting for its handlers.
constexpr std::size_t hard_bound_factor = 4;

struct event_dispatcher::pooled_queue {
    pooled_queue(handler_pool::strand s, const config::socketio_settings& limits, engineio::session& session)
        : strand(std::move(s)),
          resume_events(limits.max_pooled_events / 2),
          resume_bytes(limits.max_pooled_bytes / 2),
          session(session.weak_from_this()),
          owner(session.owner()) {}

    // Releases the session's reading once drained to half the bound. From any thread.
    void release_if_drained() {
        if (!holding.load()) return;
        if (events.load() > resume_events || bytes.load() > resume_bytes) return;
        if (!holding.exchange(false)) return;
        // Always posted: the session's transport belongs to its worker, and on the
        // worker we may be inside the very read that is to pause.
        owner.post([session = session] {
            if (auto alive = session.lock()) alive->release_reading();
        });
    }

    handler_pool::strand strand;
    // Events posted and not yet handled, and their argument bytes: a client that sends
    // faster than its handlers run would otherwise queue without limit.
    std::atomic<std::size_t> events{0};
    std::atomic<std::size_t> bytes{0};
    // This queue holds its session's reading (over the bound, not yet drained to half
    // of it). Set on the worker; whoever clears it (a pool thread, or the worker)
    // posts the release to the worker.
    std::atomic<bool> holding{false};
    const std::size_t resume_events, resume_bytes;
    std::weak_ptr<engineio::session> session;
    worker& owner;
    bool refused = false;   // on the socket's worker only
    // What events tell of their socket (SDK 1.1: id, auth, handshake, dialect), written
    // once on the socket's worker at its first event; the user is read per event.
    std::shared_ptr<const socket_snapshot> identity;
};

std::shared_ptr<event_dispatcher::pooled_queue> event_dispatcher::queue_of(socketio::socket& s) {
    if (!s.extension) s.extension = std::make_shared<pooled_queue>(*pool_.make_strand(), limits_, s.session());
    return std::static_pointer_cast<pooled_queue>(s.extension);
}

std::shared_ptr<handler_pool::strand> event_dispatcher::strand_of(socketio::socket& s) {
    auto queue = queue_of(s);
    return std::shared_ptr<handler_pool::strand>(queue, &queue->strand);
}

bool event_dispatcher::over_pooled_bound(socketio::socket& s, pooled_queue& queue, std::size_t bytes) {
    const auto& limits = limits_;
    const std::size_t events = queue.events.load(std::memory_order_relaxed);
    const std::size_t queued = queue.bytes.load(std::memory_order_relaxed);
    if (events < hard_bound_factor * limits.max_pooled_events &&
        queued + bytes <= hard_bound_factor * limits.max_pooled_bytes)
        return false;
    if (queue.refused) return true;
    queue.refused = true;
    count_refusal(refusal::pooled_events);
    if (refusal_log_due(refusal::pooled_events)) {
        SB_LOG(warn, "plugins") << "disconnecting socket " << s.id() << " of " << s.handshake().remote_address
                            << ": " << events << " events (" << queued + bytes
                            << " bytes) would wait for its handlers, hard bound "
                            << hard_bound_factor * limits.max_pooled_events << " events / "
                            << hard_bound_factor * limits.max_pooled_bytes << " bytes";
    }
    // Not from here: we are inside this socket's event, possibly inside its decoder.
    auto& io = io_;
    s.session().owner().post([&io, handle = s.handle()] {
        io.with_socket(handle, [](socketio::socket* found) {
            if (found) found->disconnect(true);
        });
    });
    return true;
}

void event_dispatcher::hold_reading_if_full(socketio::socket& s, pooled_queue& queue) {
    const auto& limits = limits_;
    if (queue.holding.load(std::memory_order_relaxed)) return;
    if (queue.events.load(std::memory_order_relaxed) < limits.max_pooled_events &&
        queue.bytes.load(std::memory_order_relaxed) < limits.max_pooled_bytes)
        return;
    queue.holding.store(true);
    read_pauses_.fetch_add(1, std::memory_order_relaxed);
    s.session().hold_reading();
    // The pool may have drained the queue before it saw the flag: then nobody else
    // will release it.
    queue.release_if_drained();
}

event_dispatcher::event_dispatcher(const plugin_registry& registry, handler_pool& pool, socketio::server& io,
                                   config::socketio_settings limits)
    : registry_(registry), pool_(pool), io_(io), limits_(std::move(limits)) {}

void event_dispatcher::dispatch(socketio::socket& s, std::string_view event, socketio::encoded_arguments args,
                                std::int64_t ack_id) {
    const auto handlers = registry_.handlers_for(s.nsp(), event);
    if (handlers.empty()) {
        // As the reference server: an event nobody handles is ignored.
        SB_LOG(debug, "plugins").with(*s.log_context()) << "no handler for event \"" << event << "\"";
        return;
    }
    auto queue = queue_of(s);
    if (!queue->identity) queue->identity = std::make_shared<const socket_snapshot>(s, limits_.parser);
    auto copy = std::make_shared<event_copy>();
    copy->identity = queue->identity;
    copy->socket = s.handle();
    copy->nsp = s.nsp();
    copy->name = std::string(event);
    copy->user_json = s.user_text();
    copy->args = std::move(args);
    for (const auto& bytes : copy->args.attachments) copy->attachments.push_back(view(bytes));
    copy->ack_id = ack_id;
    copy->log_fields = s.log_context();
    std::shared_ptr<handler_pool::strand> strand;
    for (const auto* h : handlers) {
        if (h->is_inline) {
            const auto e = copy->view_of();
            const log::thread_context about(copy->log_fields.get(), copy->name);
            const auto started = std::chrono::steady_clock::now();
            h->fn(h->user_data, &e);
            h->metrics->calls.fetch_add(1, std::memory_order_relaxed);
            h->metrics->run.observe(std::chrono::steady_clock::now() - started);
            continue;
        }
        const std::size_t bytes = encoded_size(copy->args);
        if (!strand) {
            if (over_pooled_bound(s, *queue, bytes)) return;
            strand = std::shared_ptr<handler_pool::strand>(queue, &queue->strand);
        }
        queue->events.fetch_add(1, std::memory_order_relaxed);
        queue->bytes.fetch_add(bytes, std::memory_order_relaxed);
        pooled_waiting_.fetch_add(1, std::memory_order_relaxed);
        pool_.post([this, copy, queue, bytes, fn = h->fn, user_data = h->user_data, metrics = h->metrics,
                     queued = std::chrono::steady_clock::now()] {
            pooled_waiting_.fetch_sub(1, std::memory_order_relaxed);
            const auto e = copy->view_of();
            const log::thread_context about(copy->log_fields.get(), copy->name);
            const auto started = std::chrono::steady_clock::now();
            metrics->wait.observe(started - queued);
            fn(user_data, &e);
            metrics->calls.fetch_add(1, std::memory_order_relaxed);
            metrics->run.observe(std::chrono::steady_clock::now() - started);
            queue->bytes.fetch_sub(bytes);
            queue->events.fetch_sub(1);
            queue->release_if_drained();
        }, strand, "plugin " + h->plugin->name + ": event \"" + copy->name + "\" of socket " + s.id());
    }
    if (strand) hold_reading_if_full(s, *queue);
}

}  // namespace switchboard::kernel::plugins
