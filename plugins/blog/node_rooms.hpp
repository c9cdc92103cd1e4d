// This node's own rooms. Every broadcast crosses the cluster, but what the blog pushes
// from its per-node state (like counts in version order, the ranking it computed) must
// reach this node's sockets only: its watchers also join the room under a name no
// other node uses, `<room>@<node id>`, and those pushes go there. (Each still costs
// the cluster one message that the other nodes find no member for.)
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace switchboard::plugins::blog {

class node_rooms {
public:
    node_rooms() {
        std::random_device entropy;
        const std::uint64_t id = (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
        static constexpr char digits[] = "0123456789abcdef";
        for (int shift = 60; shift >= 0; shift -= 4) suffix_ += digits[(id >> shift) & 0xF];
        suffix_.insert(0, "@");
    }

    // `room`'s name on this node only.
    std::string here(std::string_view room) const { return std::string(room) + suffix_; }

private:
    std::string suffix_;
};

}  // namespace switchboard::plugins::blog
