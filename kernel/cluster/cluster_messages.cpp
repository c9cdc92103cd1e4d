#include "kernel/cluster/cluster_messages.hpp"

#include <openssl/rand.h>

#include "kernel/cluster/selection_json.hpp"

namespace switchboard::kernel::cluster {

using namespace cluster_message;

namespace {

bool is_volatile(const ordered_json& opts) {
    if (!opts.is_object()) return false;
    const auto flags = opts.find("flags");
    return flags != opts.end() && flags->is_object() && flags->value("volatile", false);
}

}  // namespace

std::string cluster_uid() {
    unsigned char bytes[8];
    RAND_bytes(bytes, sizeof bytes);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::chrono::milliseconds ack_timeout_of(const ordered_json& opts, std::chrono::milliseconds fallback) {
    if (!opts.is_object()) return fallback;
    const auto flags = opts.find("flags");
    if (flags == opts.end() || !flags->is_object()) return fallback;
    const auto timeout = flags->find("timeout");
    if (timeout == flags->end() || !timeout->is_number_integer() || timeout->get<std::int64_t>() <= 0) return fallback;
    return std::chrono::milliseconds(timeout->get<std::int64_t>());
}

ordered_json cluster_envelope(int type, ordered_json data, const std::string& uid, const std::string& nsp) {
    ordered_json envelope{{"type", type}};
    if (!data.is_null()) envelope["data"] = std::move(data);
    envelope["uid"] = uid;
    envelope["nsp"] = nsp;
    return envelope;
}

void act_on_cluster_message(local_node& node, const std::string& nsp, int type, const ordered_json& data,
                            std::chrono::milliseconds ack_timeout, const reply_fn& reply) {
    if (!data.is_object()) return;
    const auto opts = data.value("opts", ordered_json::object());
    const std::string request_id = data.value("requestId", std::string());
    switch (type) {
        case broadcast_message: {
            const auto packet = data.value("packet", ordered_json::object());
            const auto args = packet.is_object() ? packet.value("data", ordered_json()) : ordered_json();
            const bool deliverable = args.is_array() && !args.empty() && args[0].is_string();
            if (request_id.empty()) {
                if (deliverable) node.deliver(nsp, args, selection_from(opts), is_volatile(opts));
                return;
            }
            if (!deliverable) {
                // Nothing a client could receive: still one count, or the requester waits it out.
                reply(broadcast_client_count, ordered_json{{"requestId", request_id}, {"clientCount", 0}});
                return;
            }
            node.deliver_with_acks(
                nsp, args, selection_from(opts), ack_timeout_of(opts, ack_timeout),
                [reply, request_id](std::size_t count) {
                    reply(broadcast_client_count, ordered_json{{"requestId", request_id}, {"clientCount", count}});
                },
                [reply, request_id](std::optional<ordered_json> answer) {
                    // A client that did not answer: the requester's own timeout tells.
                    if (answer) reply(broadcast_ack, ordered_json{{"requestId", request_id}, {"packet", std::move(*answer)}});
                });
            return;
        }
        case sockets_join:
        case sockets_leave: {
            auto rooms = room_names_of(data.value("rooms", ordered_json::array()));
            if (type == sockets_join) node.join(nsp, selection_from(opts), std::move(rooms));
            else node.leave(nsp, selection_from(opts), std::move(rooms));
            return;
        }
        case disconnect_sockets:
            node.disconnect(nsp, selection_from(opts), data.value("close", false));
            return;
        case fetch_sockets:
            node.describe(nsp, selection_from(opts), [reply, request_id](ordered_json sockets) {
                reply(fetch_sockets_response, ordered_json{{"requestId", request_id}, {"sockets", std::move(sockets)}});
            });
            return;
        case server_side_emit:
            if (const auto packet = data.find("packet"); packet != data.end() && packet->is_array() && !packet->empty())
                node.server_side_emit(nsp, *packet);
            return;
        default:
            return;
    }
}

void take_cluster_reply(request_tracker& requests, int type, const ordered_json& data) {
    if (!data.is_object()) return;
    const std::string request_id = data.value("requestId", std::string());
    if (!requests.contains(request_id)) return;   // someone else's, or too late
    switch (type) {
        case fetch_sockets_response:
            return requests.node_answered(request_id, data.value("sockets", ordered_json::array()));
        case broadcast_client_count: {
            const auto count = data.value("clientCount", ordered_json());
            return requests.node_answered(request_id, ordered_json::array(),
                                          count.is_number_unsigned() ? count.get<std::size_t>() : 0);
        }
        case broadcast_ack:
            return requests.item_arrived(request_id, data.value("packet", ordered_json()));
        default:
            return;
    }
}

}  // namespace switchboard::kernel::cluster
