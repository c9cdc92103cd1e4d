#include "kernel/cluster/redis_adapter.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kernel/cluster/link_metrics.hpp"
#include "kernel/cluster/selection_json.hpp"
#include "kernel/core/log.hpp"
#include "kernel/core/random_id.hpp"

namespace switchboard::kernel::cluster {

namespace asio = boost::asio;

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

struct redis_adapter::pending_fetch {
    explicit pending_fetch(asio::io_context& io) : timer(io) {}
    std::function<void(fetch_result)> done;
    fetch_result result;
    std::size_t expected_responses = 0;
    std::size_t responses = 0;
    bool counted = false;       // the number of servers is known
    bool local_done = false;    // this node's own sockets are in
    bool timed_out = false;
    asio::steady_timer timer;

    bool complete() const noexcept { return counted && local_done && (timed_out || responses >= expected_responses); }
};

redis_adapter::redis_adapter(redis_adapter_settings settings, local_node& node)
    : settings_(std::move(settings)), node_(node), uid_(short_id()), work_(io_.get_executor()) {
    const auto endpoint = redis_endpoint::parse(settings_.url);
    publisher_ = std::make_shared<redis_client>(io_, endpoint, "cluster publisher");
    subscriber_ = std::make_shared<redis_client>(io_, endpoint, "cluster subscriber");
}

redis_adapter::~redis_adapter() { stop(); }

void redis_adapter::start() {
    subscriber_->on_push([this](std::string_view channel, std::string_view, std::string payload) {
        on_message(channel, std::move(payload));
    });
    subscriber_->on_state([this](bool connected) {
        counters_.connected = connected;
        if (!connected) ++counters_.outages;
    });
    for (const auto& nsp : settings_.namespaces) {
        subscriber_->psubscribe(broadcast_channel(nsp) + "*");
        subscriber_->subscribe(request_channel(nsp));
        subscriber_->subscribe(response_channel(nsp));
        subscriber_->subscribe(response_channel(nsp) + uid_ + "#");
    }
    publisher_->start();
    subscriber_->start();
    thread_ = std::thread([this] { io_.run(); });
    SB_LOG(info, "cluster") << "redis adapter " << uid_ << " on " << settings_.url << " (key " << settings_.key << ")";
}

void redis_adapter::stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
        publisher_->stop();
        subscriber_->stop();
        for (auto& [id, pending] : pending_) pending->timer.cancel();
        work_.reset();
        io_.stop();
    });
    thread_.join();
}

std::string redis_adapter::metrics_text() const {
    std::string out;
    using prometheus::append_single;
    append_single(out, "switchboard_cluster_messages_published_total", "counter",
                  "Messages this node published to the cluster.", counters_.published.load());
    append_single(out, "switchboard_cluster_messages_received_total", "counter", "Cluster messages this node received.",
                  counters_.received.load());
    append_link_metrics(out, link());
    return out;
}

link_figures redis_adapter::link() const {
    return {counters_.lost, counters_.requests, counters_.timeouts, counters_.outages, counters_.connected};
}

// ---- what this node sends ----

void redis_adapter::publish(std::string channel, std::string payload, sent_fn sent) {
    ++counters_.published;
    publisher_->command({"PUBLISH", channel, payload}, [this, sent = std::move(sent)](std::optional<resp_value> reply) {
        // Not silently dropped: counted, and logged once per outage by the client.
        if (!reply || reply->is_error()) ++counters_.lost;
        if (sent) sent();
    });
}

void redis_adapter::send_request(const std::string& nsp, const ordered_json& request, sent_fn sent) {
    asio::post(io_, [this, channel = request_channel(nsp), payload = request.dump(), sent = std::move(sent)]() mutable {
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
    asio::post(io_, [this, channel = std::move(channel), payload = to_msgpack(message)]() mutable {
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

void redis_adapter::fetch(const std::string& nsp, const selection& which, std::function<void(fetch_result)> done) {
    asio::post(io_, [this, nsp, which, done = std::move(done)]() mutable {
        const auto request_id = short_id();
        auto pending = std::make_shared<pending_fetch>(io_);
        pending->done = std::move(done);
        pending_[request_id] = pending;
        ++counters_.requests;
        // This node's part, from its workers; the request's end waits for it too.
        node_.describe(nsp, which, [this, request_id](ordered_json sockets) {
            asio::post(io_, [this, request_id, sockets = std::move(sockets)]() mutable {
                const auto found = pending_.find(request_id);
                if (found == pending_.end()) return;
                auto& result = found->second->result.sockets;
                for (auto& s : sockets) result.push_back(std::move(s));
                found->second->local_done = true;
                finish(request_id);
            });
        });
        // Every subscriber of the request channel answers, as Node counts servers.
        publisher_->command({"PUBSUB", "NUMSUB", request_channel(nsp)}, [this, nsp, which, request_id](
                                                                              std::optional<resp_value> reply) {
            const auto found = pending_.find(request_id);
            if (found == pending_.end()) return;
            auto& pending = *found->second;
            std::int64_t servers = 1;
            if (reply && reply->is_array() && reply->elements.size() == 2) servers = reply->elements[1].integer;
            if (!reply) {
                // Redis is down: what this node knows, marked as partial.
                pending.result.partial = true;
                ++counters_.timeouts;
            }
            pending.expected_responses = servers > 1 ? static_cast<std::size_t>(servers - 1) : 0;
            pending.counted = true;
            if (pending.expected_responses == 0) return finish(request_id);
            const ordered_json request{
                {"uid", uid_}, {"requestId", request_id}, {"type", remote_fetch}, {"opts", options_json(which)}};
            publish(request_channel(nsp), request.dump());
            pending.timer.expires_after(settings_.requests_timeout);
            pending.timer.async_wait([this, request_id](const boost::system::error_code& ec) {
                if (ec) return;
                if (const auto found = pending_.find(request_id); found != pending_.end()) {
                    found->second->timed_out = true;
                    finish(request_id);
                }
            });
        });
    });
}

void redis_adapter::finish(const std::string& request_id) {
    const auto found = pending_.find(request_id);
    if (found == pending_.end() || !found->second->complete()) return;
    auto pending = found->second;
    pending_.erase(found);
    pending->timer.cancel();
    if (pending->timed_out) {
        ++counters_.timeouts;
        pending->result.partial = true;
    }
    pending->result.nodes = 1 + pending->responses;
    pending->done(std::move(pending->result));
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
            if (pending_.count(request_id) || request_id.empty()) return;   // our own request
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
                asio::post(io_, [this, nsp, answer = std::move(answer)] { respond(nsp, answer); });
            });
            return;
        }
        case all_rooms: {
            if (pending_.count(request_id) || request_id.empty()) return;
            node_.room_names(nsp, [this, nsp, request_id](std::vector<std::string> rooms) {
                asio::post(io_, [this, nsp, answer = ordered_json{{"requestId", request_id}, {"rooms", rooms}}] {
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
        case broadcast_with_ack: {
            if (ours || request_id.empty()) return;
            // Delivered without collecting acks: this node reports no clients to wait for,
            // so the requester completes instead of waiting out its timeout.
            const auto packet = request.value("packet", ordered_json::object());
            const auto data = packet.find("data");
            if (data != packet.end() && data->is_array() && !data->empty())
                node_.deliver(nsp, *data, selection_from(request.value("opts", ordered_json::object())), false);
            respond(nsp, ordered_json{{"type", broadcast_client_count}, {"requestId", request_id}, {"clientCount", 0}});
            return;
        }
        default:
            return;
    }
}

void redis_adapter::respond(const std::string& nsp, const ordered_json& response) {
    publish(response_channel(nsp), response.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

void redis_adapter::on_response(const std::string& payload) {
    auto response = decode_message(payload);
    if (!response.is_object()) return;
    const std::string request_id = response.value("requestId", std::string());
    const auto found = pending_.find(request_id);
    if (found == pending_.end()) return;   // someone else's, or too late
    auto& pending = *found->second;
    if (auto sockets = response.find("sockets"); sockets != response.end() && sockets->is_array())
        for (auto& s : *sockets) pending.result.sockets.push_back(std::move(s));
    ++pending.responses;
    finish(request_id);
}

}  // namespace switchboard::kernel::cluster
