// One connection to Redis, living on the cluster thread's io_context: commands with
// their replies in order, or a subscriber that receives pushes. It reconnects by itself
// (with back-off) and re-subscribes, so an outage costs what was sent during it, never
// a crash or a blocked worker. Every method must be called on the io_context's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kernel/cluster/resp.hpp"

namespace switchboard::kernel::cluster {

// redis://[:password@]host[:port][/db]
struct redis_endpoint {
    std::string host = "127.0.0.1";
    std::string port = "6379";
    std::string password;
    int db = 0;
    // Throws std::invalid_argument with what is wrong.
    static redis_endpoint parse(std::string_view url);
};

class redis_client : public std::enable_shared_from_this<redis_client> {
public:
    // The reply, or nothing when the command could not be sent or answered (Redis down).
    using reply_fn = std::function<void(std::optional<resp_value>)>;
    // A published message: the channel, the pattern that matched (empty for SUBSCRIBE).
    using push_fn = std::function<void(std::string_view channel, std::string_view pattern, std::string payload)>;
    // Ready (true: connected, and for a subscriber every subscription confirmed) or lost
    // (false); called on every change.
    using state_fn = std::function<void(bool connected)>;

    redis_client(boost::asio::io_context& io, redis_endpoint endpoint, std::string name);

    void on_push(push_fn fn) { push_ = std::move(fn); }
    void on_state(state_fn fn) { state_ = std::move(fn); }
    void start();
    void stop();

    bool connected() const noexcept { return connected_; }
    // Sends a command; `done` (if any) gets its reply. Refused at once while disconnected.
    void command(const std::vector<std::string_view>& args, reply_fn done = {});

    // Subscriptions, kept across reconnects. A client that subscribes is a subscriber
    // from then on and sends no other commands.
    void subscribe(const std::string& channel);
    void psubscribe(const std::string& pattern);
    void unsubscribe(const std::string& channel);
    // Sharded pub/sub (Redis 7): SSUBSCRIBE / SUNSUBSCRIBE, pushed as for SUBSCRIBE.
    void ssubscribe(const std::string& channel);
    void sunsubscribe(const std::string& channel);

private:
    void connect();
    void on_connected();
    void schedule_reconnect(const std::string& why);
    void read();
    void write();
    // Subscription commands answer with pushes, not replies: nothing waits for them.
    void send(std::string bytes, reply_fn done, bool expects_reply = true);
    void handle(resp_value&& value);

    boost::asio::io_context& io_;
    redis_endpoint endpoint_;
    std::string name_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::steady_timer retry_timer_;
    std::chrono::milliseconds backoff_{100};
    resp_parser parser_;
    std::string read_buffer_;
    std::deque<std::string> outbox_;
    std::string writing_;
    std::deque<reply_fn> waiting_;     // one per command sent, in order
    std::set<std::string> channels_;
    std::set<std::string> patterns_;
    std::set<std::string> shard_channels_;
    push_fn push_;
    state_fn state_;
    std::size_t unconfirmed_ = 0;      // subscriptions Redis has yet to confirm
    bool connected_ = false;
    bool stopped_ = false;
    std::uint64_t generation_ = 0;     // bumps per connection: late handlers of an old one return
};

}  // namespace switchboard::kernel::cluster
