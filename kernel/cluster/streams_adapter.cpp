#include "kernel/cluster/streams_adapter.hpp"

#include <future>

#include "kernel/cluster/cluster_messages.hpp"
#include "kernel/cluster/link_metrics.hpp"
#include "kernel/cluster/selection_json.hpp"
#include "kernel/core/log.hpp"
#include "kernel/engineio/packet.hpp"

namespace switchboard::kernel::cluster {

using namespace cluster_message;

namespace {

// How often the sessions of connected sockets get their expiry pushed back; they
// expire this much after the window, so a node killed outright leaves its sockets at
// least the whole window to come back elsewhere.
constexpr std::chrono::seconds session_refresh{5};
constexpr std::chrono::milliseconds read_retry{200};
// A replay reads the stream in pages; a socket that missed more than this many pages
// connects fresh rather than keep the node reading (Node stops at 100 pages, silently).
constexpr std::size_t missed_page = 1000;
constexpr std::size_t max_missed_pages = 100;

std::string bytes_of(const std::vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

// A stream entry's `data`: JSON when it starts with '{', else base64 of msgpack.
ordered_json decode_data(const std::string& text) {
    if (text.empty()) return ordered_json::object();
    if (text.front() == '{') return ordered_json::parse(text, nullptr, false);
    std::string bytes;
    if (!engineio::base64_decode(text, bytes)) return ordered_json(ordered_json::value_t::discarded);
    return ordered_json::from_msgpack(bytes, true, false);
}

// XRANGE/XREAD entries are [id, [field, value, ...]]: the value of `name`.
const std::string* field(const resp_value& fields, std::string_view name) {
    for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2)
        if (fields.elements[i].text == name) return &fields.elements[i + 1].text;
    return nullptr;
}

// A broadcast entry's packet data and selection, if it is one a client receives
// (no ack: an acked broadcast cannot be replayed; volatile ones are not logged).
struct logged_broadcast {
    ordered_json data;
    selection to;
    bool is_volatile = false;
};
std::optional<logged_broadcast> broadcast_of(const ordered_json& message) {
    if (!message.is_object() || message.contains("requestId")) return std::nullopt;
    const auto packet = message.find("packet");
    if (packet == message.end() || !packet->is_object()) return std::nullopt;
    const auto data = packet->find("data");
    if (data == packet->end() || !data->is_array() || data->empty()) return std::nullopt;
    logged_broadcast out;
    out.data = *data;
    const auto opts = message.value("opts", ordered_json::object());
    out.to = selection_from(opts);
    const auto flags = opts.is_object() ? opts.value("flags", ordered_json::object()) : ordered_json::object();
    out.is_volatile = flags.is_object() && flags.value("volatile", false);
    return out;
}

}  // namespace

struct streams_adapter::missed_scan {
    std::string nsp;
    std::vector<std::string> rooms;
    log_position after;
    std::size_t pages = 0;
    missed_events result;
    missed_fn done;
};

streams_adapter::streams_adapter(streams_adapter_settings settings, local_node& node)
    : redis_backed_adapter(settings, node, cluster_uid()),
      settings_(std::move(settings)),
      reader_(std::make_shared<redis_client>(link_.io(), link_.endpoint(), "cluster stream reader")),
      read_retry_(link_.io()),
      refresh_timer_(link_.io()) {}

streams_adapter::~streams_adapter() { stop(); }

void streams_adapter::start() {
    for (const auto& nsp : settings_.namespaces) {
        link_.subscriber().subscribe(public_channel(nsp));
        link_.subscriber().subscribe(private_channel(nsp, uid_));
    }
    // Reading starts where the stream ends now, not at "$" of some later XREAD: what a
    // node appends while this one starts is read too. Clients wait until then (or
    // until Redis has had a moment: without it, reading starts when Redis comes).
    auto positioned = std::make_shared<std::promise<void>>();
    reader_->on_state([this, positioned](bool connected) {
        if (!connected || reading_) return;
        reading_ = true;
        reader_->command({"XREVRANGE", settings_.key, "+", "-", "COUNT", "1"},
                         [this, positioned](std::optional<resp_value> reply) {
                             if (reply && reply->is_array()) {
                                 last_id_ = "0-0";   // an empty stream: everything appended from now on
                                 if (!reply->elements.empty() && reply->elements[0].is_array() &&
                                     !reply->elements[0].elements.empty())
                                     last_id_ = reply->elements[0].elements[0].text;
                             }
                             positioned->set_value();
                             read_stream();
                         });
    });
    reader_->start();
    link_.post([this] { refresh_sessions(); });
    link_.start([this](std::string_view channel, std::string_view, std::string payload) { on_pubsub(channel, payload); });
    if (positioned->get_future().wait_for(std::chrono::seconds(3)) != std::future_status::ready)
        SB_LOG(warn, "cluster") << "Redis did not answer in time: the stream is read once it does";
    SB_LOG(info, "cluster") << "redis-streams adapter " << uid_ << " on " << settings_.url << " (stream "
                            << settings_.key << ")";
}

void streams_adapter::stop() {
    link_.stop([this] {
        stopping_ = true;
        read_retry_.cancel();
        refresh_timer_.cancel();
        reader_->stop();
    });
}

std::string streams_adapter::metrics_text() const {
    std::string out;
    using prometheus::append_single;
    append_single(out, "switchboard_cluster_stream_appended_total", "counter",
                  "Messages this node appended to the cluster's stream.", appended_.load());
    append_single(out, "switchboard_cluster_stream_read_total", "counter", "Stream entries this node read.",
                  read_.load());
    append_link_metrics(out, link());
    return out;
}

// ---- the stream ----

void streams_adapter::append(const std::string& nsp, int type, const ordered_json& data,
                             std::function<void(bool)> done) {
    // As Node writes it: JSON, or base64 msgpack when a broadcast carries binary.
    std::string text = type == broadcast_message && has_binary(data)
                           ? engineio::base64_encode(bytes_of(ordered_json::to_msgpack(data)))
                           : data.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    link_.post([this, nsp, type, text = std::move(text), done = std::move(done)] {
        const std::string max_len = std::to_string(settings_.max_len);
        const std::string type_text = std::to_string(type);
        ++appended_;
        link_.send({"XADD", settings_.key, "MAXLEN", "~", max_len, "*", "uid", uid_, "nsp", nsp, "type", type_text,
                    "data", text},
                   done);
    });
}

void streams_adapter::read_stream() {
    if (stopping_) return;
    reader_->command({"XREAD", "COUNT", "100", "BLOCK", "5000", "STREAMS", settings_.key, last_id_},
                     [this](std::optional<resp_value> reply) {
                         if (stopping_) return;
                         if (!reply || reply->is_error()) {
                             // Redis away (the client logs it): ask again in a moment, from
                             // the last entry read, so nothing in between is skipped.
                             read_retry_.expires_after(read_retry);
                             read_retry_.async_wait([this](const boost::system::error_code& ec) {
                                 if (!ec) read_stream();
                             });
                             return;
                         }
                         // [[stream, [[id, [field, value, ...]], ...]]], or null on timeout.
                         if (reply->is_array() && !reply->elements.empty()) {
                             const auto& stream = reply->elements.front();
                             if (stream.is_array() && stream.elements.size() == 2) {
                                 for (const auto& entry : stream.elements[1].elements) {
                                     if (!entry.is_array() || entry.elements.size() != 2) continue;
                                     last_id_ = entry.elements[0].text;
                                     on_entry(last_id_, entry.elements[1]);
                                 }
                             }
                         }
                         read_stream();
                     });
}

void streams_adapter::on_entry(const std::string& id, const resp_value& fields) {
    ++read_;
    const auto* nsp = field(fields, "nsp");
    const auto* type = field(fields, "type");
    const auto* uid = field(fields, "uid");
    if (!nsp || !type || !link_.serves(*nsp)) return;
    const bool ours = uid && *uid == uid_;
    const auto* raw = field(fields, "data");
    ordered_json message;
    try {
        message = decode_data(raw ? *raw : std::string());
    } catch (const std::exception& e) {
        SB_LOG(warn, "cluster") << "stream entry " << id << " has undecodable data: " << e.what();
        return;
    }
    if (message.is_discarded()) {
        SB_LOG(warn, "cluster") << "stream entry " << id << " has undecodable data";
        return;
    }
    if (*type == "3") {
        auto broadcast = broadcast_of(message);
        if (!broadcast) return;
        if (broadcast->is_volatile) {
            // Sent to this node's sockets when it was made; not part of the log.
            if (!ours) node_.deliver(*nsp, broadcast->data, broadcast->to, true);
            return;
        }
        const auto offset = log_position::parse(id);
        if (offset) node_.deliver_logged(*nsp, broadcast->data, broadcast->to, *offset);
        return;
    }
    if (ours) return;   // this node applied its own socket operations already
    const auto which = selection_from(message.value("opts", ordered_json::object()));
    if (*type == "4" || *type == "5") {
        auto rooms = room_names_of(message.value("rooms", ordered_json::array()));
        if (*type == "4") node_.join(*nsp, which, std::move(rooms));
        else node_.leave(*nsp, which, std::move(rooms));
    } else if (*type == "6") {
        node_.disconnect(*nsp, which, message.value("close", false));
    }
}

void streams_adapter::broadcast(const std::string& nsp, const ordered_json& data, const selection& to,
                                bool is_volatile) {
    const ordered_json message{{"packet", {{"type", 2}, {"data", data}, {"nsp", nsp}}},
                               {"opts", options_json(to, is_volatile)}};
    append(nsp, broadcast_message, message, [this, nsp, data, to, is_volatile](bool ok) {
        // Without Redis this node's own sockets still get it (no offset: not logged).
        if (!ok && !is_volatile) node_.deliver(nsp, data, to, false);
    });
}

void streams_adapter::join(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
                           sent_fn sent) {
    append(nsp, sockets_join, {{"opts", options_json(which)}, {"rooms", rooms}}, [sent](bool) {
        if (sent) sent();
    });
}

void streams_adapter::leave(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
                            sent_fn sent) {
    append(nsp, sockets_leave, {{"opts", options_json(which)}, {"rooms", rooms}}, [sent](bool) {
        if (sent) sent();
    });
}

void streams_adapter::disconnect(const std::string& nsp, const selection& which, bool close, sent_fn sent) {
    append(nsp, disconnect_sockets, {{"opts", options_json(which)}, {"close", close}}, [sent](bool) {
        if (sent) sent();
    });
}

// ---- requests over pub/sub ----

void streams_adapter::publish(std::string channel, const ordered_json& envelope) {
    link_.send({"PUBLISH", channel, bytes_of(ordered_json::to_msgpack(envelope))});
}

void streams_adapter::on_pubsub(std::string_view channel, const std::string& payload) {
    ordered_json message;
    try {
        message = ordered_json::from_msgpack(payload);
    } catch (const std::exception& e) {
        SB_LOG(warn, "cluster") << "a message that is not msgpack on " << channel << ": " << e.what();
        return;
    }
    if (!message.is_object() || message.value("uid", std::string()) == uid_) return;
    const std::string nsp = message.value("nsp", std::string());
    if (!link_.serves(nsp)) return;
    if (channel == private_channel(nsp, uid_)) return on_response(message);
    on_request(nsp, message);
}

void streams_adapter::on_request(const std::string& nsp, const ordered_json& message) {
    const std::string requester = message.value("uid", std::string());
    act_on_cluster_message(node_, nsp, message.value("type", 0), message.value("data", ordered_json::object()),
                           settings_.requests_timeout, [this, nsp, requester](int type, ordered_json data) {
                               link_.post([this, nsp, requester, type, data = std::move(data)]() mutable {
                                   publish(private_channel(nsp, requester),
                                           cluster_envelope(type, std::move(data), uid_, nsp));
                               });
                           });
}

void streams_adapter::emit_to_other_nodes(const std::string& nsp, const ordered_json& data) {
    link_.post([this, envelope = cluster_envelope(server_side_emit, {{"packet", data}}, uid_, nsp), nsp] {
        publish(public_channel(nsp), envelope);
    });
}

std::string streams_adapter::new_request_id() const { return cluster_uid(); }

void streams_adapter::ask_fetch(const std::string& nsp, const std::string& request_id, const selection& which) {
    ask(nsp, request_id,
        cluster_envelope(fetch_sockets, {{"opts", options_json(which)}, {"requestId", request_id}}, uid_, nsp),
        settings_.requests_timeout);
}

void streams_adapter::ask_acks(const std::string& nsp, const std::string& request_id, const ordered_json& data,
                               const selection& to, std::chrono::milliseconds timeout) {
    // Over pub/sub, not the stream: an acked broadcast is not replayed.
    ask(nsp, request_id,
        cluster_envelope(broadcast_message,
                         {{"packet", {{"type", 2}, {"data", data}}},
                          {"requestId", request_id},
                          {"opts", acked_options_json(to, timeout)}},
                         uid_, nsp),
        timeout);
}

void streams_adapter::ask(const std::string& nsp, const std::string& request_id, ordered_json envelope,
                          std::chrono::milliseconds timeout) {
    // Node counts the servers as the subscribers of the public channel.
    link_.ask("NUMSUB", public_channel(nsp), request_id, timeout,
              [this, nsp, envelope = std::move(envelope)] { publish(public_channel(nsp), envelope); });
}

void streams_adapter::on_response(const ordered_json& message) {
    take_cluster_reply(link_.requests(), message.value("type", 0), message.value("data", ordered_json::object()));
}

// ---- sessions ----

void streams_adapter::save(const saved_session& session, bool connected) {
    // What Node's persistSession writes, plus where the socket went live (Node ignores it).
    ordered_json value{{"sid", session.sid}, {"pid", session.pid}, {"rooms", session.rooms}, {"data", session.data}};
    if (session.since) value["since"] = session.since->text();
    std::string encoded = engineio::base64_encode(bytes_of(ordered_json::to_msgpack(value)));
    link_.post([this, pid = session.pid, encoded = std::move(encoded), connected] {
        auto ttl = settings_.max_disconnection_duration;
        if (connected) {
            connected_sessions_.insert(pid);
            ttl += 2 * std::chrono::duration_cast<std::chrono::milliseconds>(session_refresh);
        } else {
            connected_sessions_.erase(pid);
        }
        link_.commands().command({"SET", session_key(pid), encoded, "PX", std::to_string(ttl.count())});
    });
}

void streams_adapter::forget(const std::string& pid) {
    link_.post([this, pid] {
        connected_sessions_.erase(pid);
        link_.commands().command({"DEL", session_key(pid)});
    });
}

void streams_adapter::refresh_sessions() {
    if (stopping_) return;
    const auto ttl = std::to_string(
        (settings_.max_disconnection_duration + 2 * std::chrono::duration_cast<std::chrono::milliseconds>(session_refresh))
            .count());
    for (const auto& pid : connected_sessions_) link_.commands().command({"PEXPIRE", session_key(pid), ttl});
    refresh_timer_.expires_after(session_refresh);
    refresh_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) refresh_sessions();
    });
}

void streams_adapter::claim(const std::string& nsp, const std::string& pid, std::optional<log_position> from,
                            claim_fn done) {
    link_.post([this, nsp, pid, from, done = std::move(done)] {
        // Taken once: GETDEL, as Node's restoreSession.
        link_.commands().command({"GETDEL", session_key(pid)}, [this, nsp, pid, from, done](std::optional<resp_value> reply) {
            if (!reply || reply->is_error()) return done(std::nullopt, "redis_unavailable");
            if (reply->type != resp_value::kind::bulk) return done(std::nullopt, "unknown_session");
            connected_sessions_.erase(pid);
            saved_session session;
            try {
                std::string bytes;
                if (!engineio::base64_decode(reply->text, bytes)) return done(std::nullopt, "unknown_session");
                const auto value = ordered_json::from_msgpack(bytes);
                session.nsp = nsp;
                session.sid = value.at("sid").get<std::string>();
                session.pid = pid;
                session.rooms = room_names_of(value.value("rooms", ordered_json::array()));
                session.data = value.value("data", ordered_json::object());
                if (value.contains("since") && value["since"].is_string())
                    session.since = log_position::parse(value["since"].get<std::string>());
            } catch (const std::exception& e) {
                SB_LOG(warn, "cluster") << "session " << session_key(pid) << " is not one: " << e.what();
                return done(std::nullopt, "unknown_session");
            }
            if (from) session.since = from;
            if (!session.since) return done(std::nullopt, "no_offset");
            // The offset itself must still be in the stream (Node's rule): then nothing
            // after it was trimmed either.
            const std::string offset = session.since->text();
            link_.commands().command({"XRANGE", settings_.key, offset, offset},
                               [done, session = std::move(session)](std::optional<resp_value> reply) mutable {
                                   if (!reply || reply->is_error()) return done(std::nullopt, "redis_unavailable");
                                   if (!reply->is_array() || reply->elements.empty())
                                       return done(std::nullopt, "log_overflow");
                                   done(std::move(session), {});
                               });
        });
    });
}

void streams_adapter::missed(const std::string& nsp, log_position from, std::vector<std::string> rooms,
                             missed_fn done) {
    auto scan = std::make_shared<missed_scan>();
    scan->nsp = nsp;
    scan->rooms = std::move(rooms);
    scan->after = from;
    scan->result.end = from;
    scan->done = std::move(done);
    link_.post([this, scan] { scan_missed(scan); });
}

void streams_adapter::scan_missed(std::shared_ptr<missed_scan> scan) {
    if (++scan->pages > max_missed_pages) return scan->done(std::nullopt);
    // Exclusive start without Redis 6.2's "(": the next sequence number.
    const std::string start = log_position{scan->after.ms, scan->after.seq + 1}.text();
    link_.commands().command(
        {"XRANGE", settings_.key, start, "+", "COUNT", std::to_string(missed_page)},
        [this, scan](std::optional<resp_value> reply) {
            if (!reply || reply->is_error() || !reply->is_array()) return scan->done(std::nullopt);
            if (reply->elements.empty()) return scan->done(std::move(scan->result));
            for (const auto& entry : reply->elements) {
                if (!entry.is_array() || entry.elements.size() != 2) continue;
                const auto offset = log_position::parse(entry.elements[0].text);
                if (!offset) continue;
                scan->after = *offset;
                scan->result.end = *offset;
                const auto& fields = entry.elements[1];
                const auto* nsp = field(fields, "nsp");
                const auto* type = field(fields, "type");
                const auto* raw = field(fields, "data");
                if (!nsp || *nsp != scan->nsp || !type || *type != "3" || !raw) continue;
                std::optional<logged_broadcast> broadcast;
                try {
                    broadcast = broadcast_of(decode_data(*raw));
                } catch (const std::exception&) {
                    continue;
                }
                if (!broadcast || broadcast->is_volatile) continue;
                if (!reaches(scan->rooms, broadcast->to.rooms, broadcast->to.except)) continue;
                broadcast->data.push_back(offset->text());
                scan->result.events.push_back(missed_event{*offset, nullptr, std::move(broadcast->data)});
            }
            scan_missed(scan);
        });
}

}  // namespace switchboard::kernel::cluster
