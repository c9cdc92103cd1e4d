// What a handler's ctx needs about a socket that the event itself does not carry: its
// Socket.IO id, its CONNECT auth payload and its handshake. Filled by the connect
// hook, emptied by the disconnect hook (pooled, so it runs after the socket's queued
// events), read by every event.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::lua {

struct socket_entry {
    sdk::socket_id handle = 0;
    std::string id;
    std::string nsp;
    sdk::json auth;
    sdk::json handshake;
};

class socket_directory {
public:
    void add(std::shared_ptr<const socket_entry> entry);
    void remove(sdk::socket_id handle);
    // Null when the socket is unknown (gone, or connected before the plugin loaded).
    std::shared_ptr<const socket_entry> find(sdk::socket_id handle) const;

private:
    // Sharded: every event reads here, from every thread.
    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<sdk::socket_id, std::shared_ptr<const socket_entry>> entries;
    };
    shard& shard_of(sdk::socket_id handle) const { return shards_[(handle ^ (handle >> 17)) % shards_.size()]; }
    mutable std::array<shard, 16> shards_;
};

std::shared_ptr<const socket_entry> make_socket_entry(const sdk::socket_info& s);

}  // namespace switchboard::plugins::lua
