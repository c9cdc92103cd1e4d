#include "kernel/cluster/redis_adapter.hpp"

#include "kernel/cluster/cluster_messages.hpp"
#include "kernel/cluster/selection_json.hpp"
#include "kernel/core/log.hpp"
#include "kernel/core/random_id.hpp"

namespace switchboard::kernel::cluster {

namespace {

// The request and response types of @socket.io/redis-adapter.
enum request_type : int {
    sockets = 0,
    all_rooms = 1,
    remote_join = 2,
    remote_leave = 3,
    remote_disconnect = 4,
    remote_fetch = 5,
    server_side_emit = 6,
    broadcast_with_ack = 7,
    broadcast_client_count = 8,
    broadcast_ack = 9,
};

// Node's uid2: 6 characters of [A-Za-z0-9_-], which a random id already is.
std::string short_id() { return make_random_id().substr(0, 6); }

// Requests and responses are JSON, except the ack broadcasts, which are msgpack.
ordered_json decode_message(const std::string& payload) {
    if (!payload.empty() && payload.front() == '{') return ordered_json::parse(payload, nullptr, false);
    try {
        return ordered_json::from_msgpack(payload);
    } catch (const std::exception&) {
        return ordered_json(ordered_json::value_t::discarded);
    }
}

std::string to_msgpack(const ordered_json& value) {
    const auto bytes = ordered_json::to_msgpack(value);
    return std::string(bytes.begin(), bytes.end());
}

}  // namespace

redis_adapter::redis_adapter(redis_adapter_settings settings, local_node& node)
    : redis_backed_adapter(settings, node, short_id()), settings_(std::move(settings)) {}

redis_adapter::~redis_adapter() { stop(); }

void redis_adapter::start() {
    auto& subscriber = link_.subscriber();
    for (const auto& nsp : settings_.namespaces) {
        subscriber.psubscribe(broadcast_channel(nsp) + "*");
        subscriber.subscribe(request_channel(nsp));
        subscriber.subscribe(response_channel(nsp));
        subscriber.subscribe(response_channel(nsp) + uid_ + "#");
    }
    link_.start([this](std::string_view channel, std::string_view, std::string payload) {
        on_message(channel, std::move(payload));
    });
    SB_LOG(info, "cluster") << "redis adapter " << uid_ << " on " << settings_.url << " (key " << settings_.key << ")";
}

void redis_adapter::stop() { link_.stop(); }

// ---- what this node sends ----

void redis_adapter::publish(std::string channel, std::string payload, sent_fn sent) {
    ++counters_.published;
    link_.send({"PUBLISH", channel, payload}, [sent = std::move(sent)](bool) {
        if (sent) sent();
    });
}

void redis_adapter::send_request(const std::string& nsp, const ordered_json& request, sent_fn sent) {
    link_.post([this, channel = request_channel(nsp), payload = request.dump(), sent = std::move(sent)]() mutable {
        publish(std::move(channel), std::move(payload), std::move(sent));
    });
}

void redis_adapter::broadcast(const std::string& nsp, const ordered_json& data, const selection& to,
                              bool is_volatile) {
    ordered_json flags = ordered_json::object();
    if (is_volatile) flags["volatile"] = true;
    const ordered_json message = ordered_json::array(
        {uid_, ordered_json{{"type", 2}, {"data", data}, {"nsp", nsp}},
         ordered_json{{"rooms", to.rooms}, {"except", to.except}, {"flags", std::move(flags)}}});
    std::string channel = broadcast_channel(nsp);
    if (to.rooms.size() == 1) channel += to.rooms.front() + "#";
    link_.post([this, channel = std::move(channel), payload = to_msgpack(message)]() mutable {
        publish(std::move(channel), std::move(payload));
    });
}

void redis_adapter::join(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
                         sent_fn sent) {
    send_request(nsp, {{"uid", uid_}, {"type", remote_join}, {"opts", options_json(which)}, {"rooms", rooms}}, std::move(sent));
}

void redis_adapter::leave(const std::string& nsp, const selection& which, const std::vector<std::string>& rooms,
                          sent_fn sent) {
    send_request(nsp, {{"uid", uid_}, {"type", remote_leave}, {"opts", options_json(which)}, {"rooms", rooms}},
                 std::move(sent));
}

void redis_adapter::disconnect(const std::string& nsp, const selection& which, bool close, sent_fn sent) {
    send_request(nsp, {{"uid", uid_}, {"type", remote_disconnect}, {"opts", options_json(which)}, {"close", close}},
                 std::move(sent));
}

void redis_adapter::emit_to_other_nodes(const std::string& nsp, const ordered_json& data) {
    send_request(nsp, {{"uid", uid_}, {"type", server_side_emit}, {"data", data}}, {});
}

std::string redis_adapter::new_request_id() const { return short_id(); }

void redis_adapter::ask_fetch(const std::string& nsp, const std::string& request_id, const selection& which) {
    ask(nsp, request_id,
        ordered_json{{"uid", uid_}, {"requestId", request_id}, {"type", remote_fetch}, {"opts", options_json(which)}}
            .dump(),
        settings_.requests_timeout);
}

void redis_adapter::ask_acks(const std::string& nsp, const std::string& request_id, const ordered_json& data,
                             const selection& to, std::chrono::milliseconds timeout) {
    // As Node sends it: msgpack, the packet with its namespace.
    ask(nsp, request_id,
        to_msgpack(ordered_json{{"uid", uid_},
                                {"requestId", request_id},
                                {"type", broadcast_with_ack},
                                {"packet", {{"type", 2}, {"data", data}, {"nsp", nsp}}},
                                {"opts", acked_options_json(to, timeout)}}),
        timeout);
}

void redis_adapter::ask(const std::string& nsp, const std::string& request_id, std::string payload,
                        std::chrono::milliseconds timeout) {
    // Every subscriber of the request channel answers, as Node counts servers.
    link_.ask("NUMSUB", request_channel(nsp), request_id, timeout,
              [this, channel = request_channel(nsp), payload = std::move(payload)]() mutable {
                  publish(std::move(channel), std::move(payload));
              });
}

// ---- what this node receives ----

void redis_adapter::on_message(std::string_view channel, std::string payload) {
    ++counters_.received;
    for (const auto& nsp : settings_.namespaces) {
        if (channel.starts_with(broadcast_channel(nsp))) return on_broadcast(nsp, payload);
        if (channel == request_channel(nsp)) return on_request(nsp, payload);
        if (channel.starts_with(response_channel(nsp))) return on_response(payload);
    }
}

void redis_adapter::on_broadcast(const std::string& nsp, const std::string& payload) {
    ordered_json message;
    try {
        message = ordered_json::from_msgpack(payload);
    } catch (const std::exception& e) {
        SB_LOG(warn, "cluster") << "a broadcast that is not msgpack on " << nsp << ": " << e.what();
        return;
    }
    if (!message.is_array() || message.size() < 2 || !message[0].is_string()) return;
    if (message[0].get_ref<const std::string&>() == uid_) return;   // our own, already delivered
    const auto& packet = message[1];
    if (!packet.is_object()) return;
    const auto packet_nsp = packet.value("nsp", std::string("/"));
    const auto data = packet.find("data");
    if (packet_nsp != nsp || data == packet.end() || !data->is_array() || data->empty() || !(*data)[0].is_string())
        return;
    selection to;
    bool is_volatile = false;
    if (message.size() > 2 && message[2].is_object()) {
        to = selection_from(message[2]);
        const auto flags = message[2].find("flags");
        if (flags != message[2].end() && flags->is_object()) is_volatile = flags->value("volatile", false);
    }
    node_.deliver(nsp, *data, to, is_volatile);
}

void redis_adapter::on_request(const std::string& nsp, const std::string& payload) {
    const auto request = decode_message(payload);
    if (!request.is_object() || !request.contains("type") || !request["type"].is_number_integer()) return;
    const int type = request["type"].get<int>();
    const std::string uid = request.value("uid", std::string());
    const std::string request_id = request.value("requestId", std::string());
    const bool ours = uid == uid_;
    switch (type) {
        case remote_join:
        case remote_leave:
        case remote_disconnect: {
            // This node applied its part before publishing; the emitter's have no uid.
            if (ours || !request.contains("opts")) return;
            const auto which = selection_from(request["opts"]);
            if (type == remote_disconnect) return node_.disconnect(nsp, which, request.value("close", false));
            auto rooms = room_names_of(request.value("rooms", ordered_json::array()));
            return type == remote_join ? node_.join(nsp, which, std::move(rooms)) : node_.leave(nsp, which, std::move(rooms));
        }
        case sockets:
        case remote_fetch: {
            if (link_.requests().contains(request_id) || request_id.empty()) return;   // our own request
            const auto which = type == sockets ? selection{room_names_of(request.value("rooms", ordered_json::array())), {}}
                                               : selection_from(request.value("opts", ordered_json::object()));
            node_.describe(nsp, which, [this, nsp, request_id, type](ordered_json described) {
                ordered_json answer{{"requestId", request_id}};
                if (type == sockets) {
                    ordered_json ids = ordered_json::array();
                    for (const auto& s : described) ids.push_back(s["id"]);
                    answer["sockets"] = std::move(ids);
                } else {
                    answer["sockets"] = std::move(described);
                }
                link_.post([this, nsp, answer = std::move(answer)] { respond(nsp, answer); });
            });
            return;
        }
        case all_rooms: {
            if (link_.requests().contains(request_id) || request_id.empty()) return;
            node_.room_names(nsp, [this, nsp, request_id](std::vector<std::string> rooms) {
                link_.post([this, nsp, answer = ordered_json{{"requestId", request_id}, {"rooms", rooms}}] {
                    respond(nsp, answer);
                });
            });
            return;
        }
        case server_side_emit: {
            if (ours) return;
            const auto data = request.find("data");
            if (data != request.end() && data->is_array() && !data->empty()) node_.server_side_emit(nsp, *data);
            return;
        }
        case broadcast_with_ack:
            if (ours || request_id.empty() || link_.requests().contains(request_id)) return;
            return answer_broadcast_with_ack(nsp, request_id, request);
        default:
            return;
    }
}

void redis_adapter::answer_broadcast_with_ack(const std::string& nsp, const std::string& request_id,
                                              const ordered_json& request) {
    const auto packet = request.value("packet", ordered_json::object());
    const auto data = packet.is_object() ? packet.value("data", ordered_json()) : ordered_json();
    const auto opts = request.value("opts", ordered_json::object());
    const auto timeout = ack_timeout_of(opts, settings_.requests_timeout);
    if (!data.is_array() || data.empty() || !data[0].is_string()) {
        // Nothing a client could receive: still one count, or the requester waits it out.
        return respond(nsp, ordered_json{{"type", broadcast_client_count}, {"requestId", request_id}, {"clientCount", 0}});
    }
    // As Node answers: the count as JSON, each ack as msgpack (it may carry binary).
    node_.deliver_with_acks(
        nsp, data, selection_from(opts), timeout,
        [this, nsp, request_id](std::size_t count) {
            link_.post([this, nsp, request_id, count] {
                respond(nsp,
                        ordered_json{{"type", broadcast_client_count}, {"requestId", request_id}, {"clientCount", count}});
            });
        },
        [this, nsp, request_id](std::optional<ordered_json> answer) {
            if (!answer) return;   // a client that did not answer: the requester's own timeout tells
            const ordered_json ack{{"type", broadcast_ack}, {"requestId", request_id}, {"packet", std::move(*answer)}};
            link_.post([this, nsp, payload = to_msgpack(ack)]() mutable {
                publish(response_channel(nsp), std::move(payload));
            });
        });
}

void redis_adapter::respond(const std::string& nsp, const ordered_json& response) {
    publish(response_channel(nsp), response.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

void redis_adapter::on_response(const std::string& payload) {
    auto response = decode_message(payload);
    if (!response.is_object()) return;
    const std::string request_id = response.value("requestId", std::string());
    if (!link_.requests().contains(request_id)) return;   // someone else's, or too late
    const auto type = response.value("type", ordered_json());
    if (type == broadcast_client_count) {
        const auto count = response.value("clientCount", ordered_json());
        return link_.requests().node_answered(request_id, ordered_json::array(),
                                       count.is_number_unsigned() ? count.get<std::size_t>() : 0);
    }
    if (type == broadcast_ack) return link_.requests().item_arrived(request_id, response.value("packet", ordered_json()));
    link_.requests().node_answered(request_id, response.value("sockets", ordered_json::array()));
}

}  // namespace switchboard::kernel::cluster
