#include "kernel/cluster/sharded_adapter.hpp"

#include "kernel/cluster/cluster_messages.hpp"
#include "kernel/cluster/selection_json.hpp"
#include "kernel/core/log.hpp"
#include "kernel/core/random_id.hpp"

namespace switchboard::kernel::cluster {

using namespace cluster_message;

namespace {

// Node's `dynamic` mode takes a room of a socket id's length for a socket id and sends
// it on the main channel: nobody subscribes to a socket's own channel.
bool has_room_channel(const selection& to) { return to.rooms.size() == 1 && to.rooms.front().size() != id_length; }

// What Node's sharded adapter encodes as msgpack instead of JSON, when binary is inside.
bool sent_as_msgpack(int type, const ordered_json& data) {
    switch (type) {
        case broadcast_message:
        case fetch_sockets_response:
        case server_side_emit:
        case server_side_emit_response:
        case broadcast_ack:
            return has_binary(data);
        default:
            return false;
    }
}

// Replies to this node's requests, wherever they arrive.
bool is_reply(int type) {
    return type == fetch_sockets_response || type == server_side_emit_response || type == broadcast_client_count ||
           type == broadcast_ack;
}

}  // namespace

sharded_adapter::sharded_adapter(sharded_adapter_settings settings, local_node& node)
    : redis_backed_adapter(settings, node, cluster_uid()), settings_(std::move(settings)) {}

sharded_adapter::~sharded_adapter() { stop(); }

void sharded_adapter::start() {
    for (const auto& nsp : settings_.namespaces) {
        link_.subscriber().ssubscribe(main_channel(nsp));
        link_.subscriber().ssubscribe(room_channel(nsp, uid_));
    }
    link_.start([this](std::string_view channel, std::string_view, std::string payload) {
        ++counters_.received;
        on_message(channel, payload);
    });
    SB_LOG(info, "cluster") << "redis sharded adapter " << uid_ << " on " << settings_.url << " (prefix "
                            << settings_.key << ")";
}

void sharded_adapter::stop() { link_.stop(); }

// ---- what this node sends ----

void sharded_adapter::publish(const std::string& channel, int type, ordered_json data, const std::string& nsp,
                              sent_fn sent) {
    const bool as_msgpack = sent_as_msgpack(type, data);
    const auto envelope = cluster_envelope(type, std::move(data), uid_, nsp);
    std::string payload;
    if (as_msgpack) {
        const auto bytes = ordered_json::to_msgpack(envelope);
        payload.assign(bytes.begin(), bytes.end());
    } else {
        payload = envelope.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    }
    ++counters_.published;
    link_.send({"SPUBLISH", channel, payload}, [sent = std::move(sent)](bool) {
        if (sent) sent();
    });
}

void sharded_adapter::broadcast(const std::string& nsp, const ordered_json& data, const selection& to,
                                bool is_volatile) {
    // Node leaves nsp out of the packet: the envelope names the namespace.
    ordered_json message{{"packet", {{"type", 2}, {"data", data}}}, {"opts", options_json(to, is_volatile)}};
    std::string channel = has_room_channel(to) ? room_channel(nsp, to.rooms.front()) : main_channel(nsp);
    link_.post([this, nsp, channel = std::move(channel), message = std::move(message)]() mutable {
        publish(channel, broadcast_message, std::move(message), nsp);
    });
}

void sharded_adapter::join(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
                           sent_fn sent) {
    link_.post([this, nsp, data = ordered_json{{"opts", options_json(which)}, {"rooms", rooms}},
                     sent = std::move(sent)]() mutable {
        publish(main_channel(nsp), sockets_join, std::move(data), nsp, std::move(sent));
    });
}

void sharded_adapter::leave(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
                            sent_fn sent) {
    link_.post([this, nsp, data = ordered_json{{"opts", options_json(which)}, {"rooms", rooms}},
                     sent = std::move(sent)]() mutable {
        publish(main_channel(nsp), sockets_leave, std::move(data), nsp, std::move(sent));
    });
}

void sharded_adapter::disconnect(const std::string& nsp, const selection& which, bool close, sent_fn sent) {
    link_.post([this, nsp, data = ordered_json{{"opts", options_json(which)}, {"close", close}},
                     sent = std::move(sent)]() mutable {
        publish(main_channel(nsp), disconnect_sockets, std::move(data), nsp, std::move(sent));
    });
}

void sharded_adapter::ask(const std::string& nsp, const std::string& request_id, int type, ordered_json data,
                          std::chrono::milliseconds timeout) {
    // Every subscriber of the main channel answers, as Node counts servers.
    link_.ask("SHARDNUMSUB", main_channel(nsp), request_id, timeout,
              [this, nsp, type, data = std::move(data)]() mutable {
                  publish(main_channel(nsp), type, std::move(data), nsp);
              });
}

std::string sharded_adapter::new_request_id() const { return cluster_uid(); }

void sharded_adapter::ask_fetch(const std::string& nsp, const std::string& request_id, const selection& which) {
    ask(nsp, request_id, fetch_sockets, {{"opts", options_json(which)}, {"requestId", request_id}},
        settings_.requests_timeout);
}

void sharded_adapter::ask_acks(const std::string& nsp, const std::string& request_id, const ordered_json& data,
                               const selection& to, std::chrono::milliseconds timeout) {
    ask(nsp, request_id, broadcast_message,
        {{"packet", {{"type", 2}, {"data", data}}}, {"requestId", request_id}, {"opts", acked_options_json(to, timeout)}},
        timeout);
}

void sharded_adapter::emit_to_other_nodes(const std::string& nsp, const ordered_json& data) {
    link_.post([this, nsp, message = ordered_json{{"packet", data}}]() mutable {
        publish(main_channel(nsp), server_side_emit, std::move(message), nsp);
    });
}

void sharded_adapter::room_changed(const std::string& nsp, const std::string& room, bool exists) {
    link_.post([this, channel = room_channel(nsp, room), exists] {
        auto& workers = room_workers_[channel];
        if (exists) {
            if (++workers == 1) link_.subscriber().ssubscribe(channel);
            return;
        }
        if (workers > 0 && --workers == 0) {
            room_workers_.erase(channel);
            link_.subscriber().sunsubscribe(channel);
        }
    });
}

// ---- what this node receives ----

void sharded_adapter::on_message(std::string_view channel, const std::string& payload) {
    ordered_json message;
    if (!payload.empty() && payload.front() == '{') {
        message = ordered_json::parse(payload, nullptr, false);
    } else {
        try {
            message = ordered_json::from_msgpack(payload);
        } catch (const std::exception& e) {
            SB_LOG(warn, "cluster") << "a message that is neither JSON nor msgpack on " << channel << ": " << e.what();
            return;
        }
    }
    if (!message.is_object() || message.value("uid", std::string()) == uid_) return;
    const std::string nsp = message.value("nsp", std::string());
    const auto type = message.value("type", ordered_json());
    if (!link_.serves(nsp) || !type.is_number_integer()) return;
    const auto data = message.value("data", ordered_json::object());
    if (is_reply(type.get<int>())) return take_cluster_reply(link_.requests(), type.get<int>(), data);
    const std::string requester = message.value("uid", std::string());
    act_on_cluster_message(node_, nsp, type.get<int>(), data, settings_.requests_timeout,
                           [this, nsp, requester](int type, ordered_json data) {
                               link_.post([this, nsp, requester, type, data = std::move(data)]() mutable {
                                   publish(room_channel(nsp, requester), type, std::move(data), nsp);
                               });
                           });
}

}  // namespace switchboard::kernel::cluster
