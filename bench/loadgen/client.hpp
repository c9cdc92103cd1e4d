// One Socket.IO client of the load generator, over WebSocket or long-polling. It does
// the Engine.IO and Socket.IO handshakes, answers pings, and hands every other packet
// to its listener: a scenario decides what a client sends and what it measures.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "protocol.hpp"

namespace switchboard::bench {

using clock = std::chrono::steady_clock;

// Where the clients connect: one server, one namespace.
struct target {
    boost::asio::ip::tcp::endpoint endpoint;
    std::string host;   // the Host header: "127.0.0.1:3000"
    std::string path = "/socket.io/";
    std::string nsp = "/";
    std::string auth;   // the CONNECT packet's auth payload (JSON object text), or empty

    std::string websocket_target() const { return path + "?EIO=4&transport=websocket"; }
    std::string polling_target() const { return path + "?EIO=4&transport=polling"; }
};

class client;

// Called on the client's shard thread.
class client_listener {
public:
    virtual ~client_listener() = default;
    // The namespace CONNECT was acknowledged: the client may emit.
    virtual void on_ready(client& c) = 0;
    // Any Socket.IO packet after that (events, acks), with the time it was read.
    virtual void on_packet(client& c, const protocol::sio_packet& packet, clock::time_point received) = 0;
    // The client is gone for good: closed by either side, or failed.
    virtual void on_closed(client& c, std::string_view reason) = 0;
};

class client {
public:
    client(client_listener& listener, std::size_t id, std::size_t shard)
        : listener_(&listener), id_(id), shard_(shard) {}
    virtual ~client() = default;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // Connects and does both handshakes; the listener hears on_ready or on_closed.
    virtual void start() = 0;
    // Sends one Socket.IO packet (protocol::event_packet...). Queued until ready.
    virtual void emit(std::string sio_packet) = 0;
    // Closes the connection; on_closed follows (unless detached).
    virtual void close() = 0;
    // The listener hears nothing more: called on the client's shard before the listener
    // goes away while the client's operations may still be pending.
    void detach() noexcept { listener_ = nullptr; }

    std::size_t id() const noexcept { return id_; }
    std::size_t shard() const noexcept { return shard_; }
    clock::time_point started_at() const noexcept { return started_at_; }

    // Free for the scenario: the next ack id, when the last request left...
    std::uint64_t counter = 0;
    clock::time_point mark{};

protected:
    void tell_ready() {
        if (listener_) listener_->on_ready(*this);
    }
    void tell_packet(const protocol::sio_packet& packet, clock::time_point received) {
        if (listener_) listener_->on_packet(*this, packet, received);
    }
    void tell_closed(std::string_view reason) {
        if (listener_) listener_->on_closed(*this, reason);
    }

    clock::time_point started_at_{};

private:
    client_listener* listener_;
    std::size_t id_;
    std::size_t shard_;
};

}  // namespace switchboard::bench
