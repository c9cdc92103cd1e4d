// switchboard_floor: the least a server can do for bench/run's scenarios on this kernel,
// so that Switchboard's figures read as a share of what the machine allows at all.
//
// It speaks just enough of WebSocket, Engine.IO v4 and Socket.IO v5 for the load
// generator and the kernel test app's events it uses (join, emit, message-with-ack),
// and nothing else: one thread, epoll (level-triggered), non-blocking sockets, reads into
// one scratch buffer, frames built once per broadcast and gathered per recipient into one
// sendmsg, no allocation per message (a connection allocates only to keep what a write
// could not send, or a partial frame). No validation beyond finding frame boundaries: it
// is a yardstick, not a server.
//
//   switchboard_floor --port N [--ping-interval MS]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr std::size_t scratch_size = 256 * 1024;
constexpr std::size_t max_gather = 64;   // frames per sendmsg (IOV_MAX is 1024)

// A WebSocket server frame header for a final text frame of `size` bytes.
std::size_t frame_header(char* out, std::size_t size) {
    out[0] = static_cast<char>(0x81);
    if (size < 126) {
        out[1] = static_cast<char>(size);
        return 2;
    }
    if (size <= 0xffff) {
        out[1] = 126;
        out[2] = static_cast<char>(size >> 8);
        out[3] = static_cast<char>(size & 0xff);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>((static_cast<std::uint64_t>(size) >> (56 - 8 * i)) & 0xff);
    return 10;
}

std::string framed(std::string_view payload) {
    char header[10];
    const std::size_t n = frame_header(header, payload.size());
    std::string out(header, n);
    out += payload;
    return out;
}

struct connection {
    bool open = false;
    bool websocket = false;
    bool writable_armed = false;
    std::int32_t room = -1;          // index into rooms, or -1
    std::uint32_t slot = 0;          // position in that room's member list
    std::unique_ptr<std::string> in;    // an incomplete request or frame
    std::unique_ptr<std::string> out;   // what a write could not send yet
};

struct room {
    std::string name;
    std::vector<int> members;
    std::vector<std::string> pending;   // frames of this read pass, sent together
};

class floor_server {
public:
    floor_server(int port, int ping_interval_ms) : ping_interval_ms_(ping_interval_ms) {
        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int one = 1;
        setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener_, 4096) != 0) {
            std::perror("switchboard_floor: bind/listen");
            std::exit(1);
        }
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        add(listener_, EPOLLIN);
        // Heartbeats: each tick pings the sessions whose descriptor falls in its slice, so
        // every session is pinged once per interval, as both servers do.
        ticker_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        itimerspec every{};
        every.it_interval.tv_nsec = every.it_value.tv_nsec = tick_ms * 1000000L;
        timerfd_settime(ticker_, 0, &every, nullptr);
        add(ticker_, EPOLLIN);
        ping_frame_ = framed("2");
        scratch_.reset(new char[scratch_size]);
    }

    void run() {
        std::array<epoll_event, 512> events;
        for (;;) {
            const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), -1);
            if (n < 0 && errno == EINTR) continue;
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == listener_) accept_all();
                else if (fd == ticker_) heartbeat();
                else {
                    if (events[i].events & EPOLLOUT) flush_pending(fd);
                    if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(fd);
                }
            }
        }
    }

private:
    static constexpr long tick_ms = 100;

    void add(int fd, std::uint32_t what) {
        epoll_event e{};
        e.events = what;
        e.data.fd = fd;
        epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e);
    }
    void arm(int fd, std::uint32_t what) {
        epoll_event e{};
        e.events = what;
        e.data.fd = fd;
        epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &e);
    }

    void accept_all() {
        for (;;) {
            const int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (static_cast<std::size_t>(fd) >= connections_.size()) connections_.resize(fd + 1024);
            connections_[fd].open = true;
            add(fd, EPOLLIN);
        }
    }

    void close_connection(int fd) {
        auto& c = connections_[fd];
        if (!c.open) return;
        leave_room(fd);
        c = connection{};
        close(fd);
    }

    void leave_room(int fd) {
        auto& c = connections_[fd];
        if (c.room < 0) return;
        auto& members = rooms_[c.room].members;
        const int moved = members.back();
        members[c.slot] = moved;
        connections_[moved].slot = c.slot;
        members.pop_back();
        c.room = -1;
    }

    void join_room(int fd, std::string_view name) {
        leave_room(fd);
        auto found = room_index_.find(std::string(name));
        if (found == room_index_.end()) {
            found = room_index_.emplace(std::string(name), static_cast<std::int32_t>(rooms_.size())).first;
            rooms_.push_back(room{std::string(name), {}, {}});
        }
        auto& c = connections_[fd];
        c.room = found->second;
        c.slot = static_cast<std::uint32_t>(rooms_[c.room].members.size());
        rooms_[c.room].members.push_back(fd);
    }

    // Sends the frames in order, keeping what the socket does not take.
    void send_frames(int fd, const iovec* iov, std::size_t count) {
        auto& c = connections_[fd];
        if (!c.open) return;
        if (c.out && !c.out->empty()) {
            for (std::size_t i = 0; i < count; ++i) c.out->append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
            return;
        }
        std::size_t total = 0;
        for (std::size_t i = 0; i < count; ++i) total += iov[i].iov_len;
        msghdr m{};
        m.msg_iov = const_cast<iovec*>(iov);
        m.msg_iovlen = count;
        const ssize_t sent = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent == static_cast<ssize_t>(total)) return;
        if (sent < 0 && errno != EAGAIN) return close_connection(fd);
        std::size_t skip = sent < 0 ? 0 : static_cast<std::size_t>(sent);
        if (!c.out) c.out = std::make_unique<std::string>();
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t len = iov[i].iov_len;
            if (skip >= len) {
                skip -= len;
                continue;
            }
            c.out->append(static_cast<const char*>(iov[i].iov_base) + skip, len - skip);
            skip = 0;
        }
        c.writable_armed = true;
        arm(fd, EPOLLIN | EPOLLOUT);
    }
    void send_text(int fd, std::string_view bytes) {
        iovec v{const_cast<char*>(bytes.data()), bytes.size()};
        send_frames(fd, &v, 1);
    }

    void flush_pending(int fd) {
        auto& c = connections_[fd];
        if (!c.open || !c.out) return;
        const ssize_t sent = send(fd, c.out->data(), c.out->size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno != EAGAIN) return close_connection(fd);
        if (sent > 0) c.out->erase(0, static_cast<std::size_t>(sent));
        if (c.out->empty()) {
            c.out.reset();
            c.writable_armed = false;
            arm(fd, EPOLLIN);
        }
    }

    void on_readable(int fd) {
        auto& c = connections_[fd];
        if (!c.open) return;
        const ssize_t got = recv(fd, scratch_.get(), scratch_size, 0);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) return close_connection(fd);
        if (got < 0) return;
        // Input continues a partial one: work on a copy of both, kept by the connection.
        char* data = scratch_.get();
        std::size_t size = static_cast<std::size_t>(got);
        std::string joined;
        if (c.in) {
            joined = std::move(*c.in);
            c.in.reset();
            joined.append(data, size);
            data = joined.data();
            size = joined.size();
        }
        const std::size_t used = c.websocket ? on_frames(fd, data, size) : on_request(fd, data, size);
        if (connections_[fd].open && used < size) connections_[fd].in = std::make_unique<std::string>(data + used, size - used);
        send_broadcasts();
        if (own_.empty()) return;
        if (connections_[fd].open) send_own(fd);
        else own_.clear();
    }

    // The upgrade request: answered with 101 and the Engine.IO open packet in one write.
    std::size_t on_request(int fd, char* data, std::size_t size) {
        const std::string_view request(data, size);
        const auto end = request.find("\r\n\r\n");
        if (end == std::string_view::npos) {
            if (size > 16384) close_connection(fd);
            return 0;
        }
        const auto key_at = find_header(request.substr(0, end), "sec-websocket-key:");
        if (key_at.empty() || request.find("transport=websocket") == std::string_view::npos) {
            send_text(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            close_connection(fd);
            return size;
        }
        std::string accept_input(key_at);
        accept_input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        unsigned char digest[20];
        unsigned int digest_size = 0;
        EVP_Digest(accept_input.data(), accept_input.size(), digest, &digest_size, EVP_sha1(), nullptr);
        char accept[32];
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(accept), digest, 20);
        char sid[21];
        std::snprintf(sid, sizeof sid, "%020llu", static_cast<unsigned long long>(++sessions_));
        char reply[512];
        int n = std::snprintf(reply, sizeof reply,
                              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n\r\n",
                              accept);
        char open[200];
        const int open_size = std::snprintf(open, sizeof open,
                                            "0{\"sid\":\"%s\",\"upgrades\":[],\"pingInterval\":%d,\"pingTimeout\":20000,"
                                            "\"maxPayload\":1000000}",
                                            sid, ping_interval_ms_);
        n += static_cast<int>(frame_header(reply + n, static_cast<std::size_t>(open_size)));
        std::memcpy(reply + n, open, static_cast<std::size_t>(open_size));
        n += open_size;
        connections_[fd].websocket = true;
        send_text(fd, std::string_view(reply, static_cast<std::size_t>(n)));
        return end + 4;
    }

    static std::string_view find_header(std::string_view head, std::string_view lower_name) {
        for (std::size_t at = 0; at < head.size();) {
            auto line_end = head.find("\r\n", at);
            if (line_end == std::string_view::npos) line_end = head.size();
            const auto line = head.substr(at, line_end - at);
            if (line.size() > lower_name.size()) {
                bool same = true;
                for (std::size_t i = 0; i < lower_name.size() && same; ++i)
                    same = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i]))) == lower_name[i];
                if (same) {
                    auto value = line.substr(lower_name.size());
                    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
                    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
                    return value;
                }
            }
            at = line_end + 2;
        }
        return {};
    }

    // Client frames: masked, final, small. Returns the bytes consumed (whole frames).
    std::size_t on_frames(int fd, char* data, std::size_t size) {
        std::size_t at = 0;
        while (connections_[fd].open && size - at >= 2) {
            const auto* p = reinterpret_cast<unsigned char*>(data + at);
            const unsigned opcode = p[0] & 0x0f;
            std::uint64_t length = p[1] & 0x7f;
            std::size_t header = 2;
            if (length == 126) {
                if (size - at < 4) break;
                length = (std::uint64_t{p[2]} << 8) | p[3];
                header = 4;
            } else if (length == 127) {
                if (size - at < 10) break;
                length = 0;
                for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
                header = 10;
            }
            const bool masked = (p[1] & 0x80) != 0;
            const std::size_t mask_at = header;
            if (masked) header += 4;
            if (size - at < header + length) break;
            char* payload = data + at + header;
            if (masked) {
                const unsigned char* key = p + mask_at;
                for (std::uint64_t i = 0; i < length; ++i) payload[i] = static_cast<char>(payload[i] ^ key[i & 3]);
            }
            at += header + length;
            if (opcode == 0x8) {
                static const char close_frame[] = {static_cast<char>(0x88), 2, 0x03, static_cast<char>(0xe8)};
                send_text(fd, std::string_view(close_frame, sizeof close_frame));
                close_connection(fd);
                return size;
            }
            if (opcode == 0x1) on_packet(fd, std::string_view(payload, length));
        }
        return at;
    }

    // One Engine.IO packet.
    void on_packet(int fd, std::string_view packet) {
        if (packet.size() < 2 || packet[0] != '4') return;   // pongs and the rest: nothing to do
        if (packet[1] == '0') {
            reply_own(fd, "40{\"sid\":\"floorfloorfloorfloor\"}");
            return;
        }
        if (packet[1] != '2') return;
        packet.remove_prefix(2);
        std::string_view ack_id;
        std::size_t digits = 0;
        while (digits < packet.size() && packet[digits] >= '0' && packet[digits] <= '9') ++digits;
        ack_id = packet.substr(0, digits);
        packet.remove_prefix(digits);
        if (packet.starts_with("[\"message-with-ack\",")) {
            if (ack_id.empty()) return;
            packet.remove_prefix(std::string_view("[\"message-with-ack\",").size());
            // 43<id>[<the same arguments>]
            char head[32];
            const int n = std::snprintf(head, sizeof head, "43%.*s[", static_cast<int>(ack_id.size()), ack_id.data());
            reply_own_parts(fd, std::string_view(head, static_cast<std::size_t>(n)), packet);
        } else if (packet.starts_with("[\"join\",\"")) {
            packet.remove_prefix(9);
            const auto quote = packet.find('"');
            if (quote == std::string_view::npos) return;
            join_room(fd, packet.substr(0, quote));
            if (!ack_id.empty()) {
                char head[32];
                const int n = std::snprintf(head, sizeof head, "43%.*s[true]", static_cast<int>(ack_id.size()), ack_id.data());
                reply_own(fd, std::string_view(head, static_cast<std::size_t>(n)));
            }
        } else if (packet.starts_with("[\"emit\",{\"to\":\"")) {
            // ["emit",{"to":"ROOM","event":"EVENT","args":[ARGS]}] -> 42["EVENT",ARGS] to ROOM
            packet.remove_prefix(15);
            const auto room_end = packet.find('"');
            if (room_end == std::string_view::npos) return;
            const auto to = packet.substr(0, room_end);
            packet.remove_prefix(room_end);
            if (!packet.starts_with("\",\"event\":\"")) return;
            packet.remove_prefix(11);
            const auto event_end = packet.find('"');
            if (event_end == std::string_view::npos) return;
            const auto event = packet.substr(0, event_end);
            packet.remove_prefix(event_end);
            if (!packet.starts_with("\",\"args\":[") || !packet.ends_with("]}]")) return;
            const auto args = packet.substr(10, packet.size() - 10 - 3);
            const auto found = room_index_.find(std::string(to));
            if (found == room_index_.end()) return;
            std::string payload = "42[\"";
            payload += event;
            payload += '"';
            if (!args.empty()) {
                payload += ',';
                payload += args;
            }
            payload += ']';
            auto& r = rooms_[found->second];
            if (r.pending.empty()) with_pending_.push_back(found->second);
            r.pending.push_back(framed(payload));
        }
    }

    // Answers to the reading connection, gathered until the read is handled.
    void reply_own(int fd, std::string_view payload) { reply_own_parts(fd, payload, {}); }
    void reply_own_parts(int fd, std::string_view a, std::string_view b) {
        (void)fd;
        char header[10];
        const std::size_t n = frame_header(header, a.size() + b.size());
        own_.append(header, n);
        own_ += a;
        own_ += b;
    }
    void send_own(int fd) {
        send_text(fd, own_);
        own_.clear();
    }

    // Every room's frames of this read pass leave in one sendmsg per member.
    void send_broadcasts() {
        for (const auto index : with_pending_) {
            auto& r = rooms_[index];
            for (std::size_t first = 0; first < r.pending.size(); first += max_gather) {
                const std::size_t count = std::min(max_gather, r.pending.size() - first);
                iovec iov[max_gather];
                for (std::size_t i = 0; i < count; ++i) iov[i] = {r.pending[first + i].data(), r.pending[first + i].size()};
                // A member may be closed (and swapped out) while we send: walk a copy.
                members_copy_ = r.members;
                for (const int member : members_copy_) send_frames(member, iov, count);
            }
            r.pending.clear();
        }
        with_pending_.clear();
    }

    void heartbeat() {
        std::uint64_t expirations = 0;
        if (read(ticker_, &expirations, sizeof expirations) <= 0) return;
        const std::size_t slices = static_cast<std::size_t>(ping_interval_ms_ / tick_ms);
        tick_ = (tick_ + 1) % slices;
        iovec v{ping_frame_.data(), ping_frame_.size()};
        for (std::size_t fd = tick_; fd < connections_.size(); fd += slices)
            if (connections_[fd].open && connections_[fd].websocket) send_frames(static_cast<int>(fd), &v, 1);
    }

    int listener_ = -1;
    int epoll_ = -1;
    int ticker_ = -1;
    int ping_interval_ms_;
    std::size_t tick_ = 0;
    std::uint64_t sessions_ = 0;
    std::unique_ptr<char[]> scratch_;
    std::vector<connection> connections_;
    std::vector<room> rooms_;
    std::unordered_map<std::string, std::int32_t> room_index_;
    std::vector<std::int32_t> with_pending_;
    std::vector<int> members_copy_;
    std::string own_;
    std::string ping_frame_;
};

}  // namespace

int main(int argc, char** argv) {
    int port = 0, ping_interval = 25000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view name = argv[i];
        if (name == "--port") port = std::atoi(argv[i + 1]);
        else if (name == "--ping-interval") ping_interval = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: switchboard_floor --port N [--ping-interval MS]\n");
            return 2;
        }
    }
    if (port <= 0 || port > 65535 || ping_interval < 1000) {
        std::fprintf(stderr, "usage: switchboard_floor --port N [--ping-interval MS]\n");
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    floor_server(port, ping_interval).run();
}
