// The Socket.IO side of one Engine.IO session: decodes packets and multiplexes the
// session's namespaces (one socket per namespace joined).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "kernel/core/deadline_queue.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/engineio/session.hpp"
#include "kernel/socketio/packet.hpp"

namespace switchboard::kernel::socketio {

class server;
class socket;

class client final : public engineio::session_handler {
public:
    client(server& owner, engineio::session& session);
    ~client() override;

    engineio::session& session() noexcept { return session_; }
    server& owner() noexcept { return server_; }

    // Sends a packet on the session (encoded here).
    void send_packet(const packet& p, bool is_volatile = false);

    // A socket ended (server-side disconnect): forget it.
    void remove(socket& s);
    // Closes the connection because of a protocol violation.
    void close_for(std::string_view reason);
    // Closes the connection because it hit `bound` (counted, logged with its address).
    void refuse(refusal bound, std::string_view reason);
    // The connect timeout passed with no namespace joined.
    void on_connect_timeout();

private:
    void on_message(std::string_view data, bool binary) override;
    void on_close(std::string_view reason) override;
    void on_open() override;
    void on_upgraded() override;
    void on_packet(packet&& p);
    void on_msgpack_message(std::string_view data, bool binary);
    void on_connect(packet&& p);
    // Sends a recovered socket what it missed (connection state recovery).
    void replay(socket& s);
    socket* find(std::string_view nsp) noexcept;

    server& server_;
    engineio::session& session_;
    decoder decoder_;
    std::vector<std::unique_ptr<socket>> sockets_;
    deadline_entry connect_deadline_;
    bool closed_ = false;
};

}  // namespace switchboard::kernel::socketio
