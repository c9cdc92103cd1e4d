// A plugin's messages to its own copies on the other nodes of a cluster, as
// serverSideEmit(<name>, message) (a Node socket.io server of the same cluster sees them
// as serverSideEmit too): `message` is an object whose "op" says what to do.
//
//     sdk::tell_other_nodes(p, "blog:cluster", {{"op", "likes"}, {"postId", 7}});
//     sdk::on_other_nodes(p, "blog:cluster", {{"likes", [&](const json& m) { ... }}});
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "switchboard/sdk.hpp"

namespace switchboard::sdk {

inline std::string other_nodes_topic(std::string_view name) { return "serverSideEmit:" + std::string(name); }

// Sends `message` to the other nodes (never to this one).
inline void tell_other_nodes(plugin& p, std::string_view name, json message) {
    p.publish(other_nodes_topic(name), json::array({std::move(message)}));
}

using node_op = std::function<void(const json& message)>;

// Hands each message of `name` from the other nodes to the handler of its op. One whose
// op this version does not know, or whose handler throws, is logged and skipped: the
// nodes of a cluster may run different versions of the plugin.
inline void on_other_nodes(plugin& p, std::string_view name, std::map<std::string, node_op, std::less<>> ops) {
    p.subscribe(other_nodes_topic(name), [&p, label = std::string(name), ops = std::move(ops)](std::string_view,
                                                                                             const json& args) {
        const json& message = args.is_array() && !args.empty() ? args[0] : json();
        const auto op = message.is_object() ? message.value("op", std::string()) : std::string();
        const auto handler = ops.find(op);
        if (handler == ops.end()) {
            p.log_warn(label + ": a message of unknown op \"" + op + "\" from another node skipped");
            return;
        }
        try {
            handler->second(message);
        } catch (const std::exception& failure) {
            p.log_warn(label + ": a message from another node skipped: " + failure.what());
        }
    });
}

}  // namespace switchboard::sdk
