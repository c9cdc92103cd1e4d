#include "kernel/cluster/redis_client.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "kernel/core/log.hpp"

namespace switchboard::kernel::cluster {

namespace asio = boost::asio;

namespace {

constexpr std::chrono::milliseconds first_backoff{100};
constexpr std::chrono::milliseconds max_backoff{5'000};
constexpr std::size_t read_chunk = 16 * 1024;

bool is_push(const resp_value& value) {
    if (!value.is_array() || value.elements.empty()) return false;
    const auto& kind = value.elements.front().text;
    return kind == "message" || kind == "pmessage" || kind == "smessage" || kind == "subscribe" ||
           kind == "psubscribe" || kind == "ssubscribe" || kind == "unsubscribe" || kind == "punsubscribe" ||
           kind == "sunsubscribe";
}

}  // namespace

redis_endpoint redis_endpoint::parse(std::string_view url) {
    constexpr std::string_view scheme = "redis://";
    if (!url.starts_with(scheme)) throw std::invalid_argument("a Redis URL starts with redis://");
    url.remove_prefix(scheme.size());
    redis_endpoint out;
    if (const auto at = url.rfind('@'); at != std::string_view::npos) {
        auto credentials = url.substr(0, at);
        // redis://:password@host or redis://user:password@host (the user is not used by AUTH <password>)
        if (const auto colon = credentials.find(':'); colon != std::string_view::npos)
            credentials.remove_prefix(colon + 1);
        out.password = std::string(credentials);
        url.remove_prefix(at + 1);
    }
    if (const auto slash = url.find('/'); slash != std::string_view::npos) {
        const auto db = url.substr(slash + 1);
        if (!db.empty()) {
            const auto [end, ec] = std::from_chars(db.data(), db.data() + db.size(), out.db);
            if (ec != std::errc() || end != db.data() + db.size() || out.db < 0)
                throw std::invalid_argument("the database after / must be a number");
        }
        url = url.substr(0, slash);
    }
    if (const auto colon = url.rfind(':'); colon != std::string_view::npos) {
        out.port = std::string(url.substr(colon + 1));
        url = url.substr(0, colon);
    }
    if (!url.empty()) out.host = std::string(url);
    if (out.port.empty() || !std::all_of(out.port.begin(), out.port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw std::invalid_argument("the port must be a number");
    return out;
}

redis_client::redis_client(asio::io_context& io, redis_endpoint endpoint, std::string name)
    : io_(io), endpoint_(std::move(endpoint)), name_(std::move(name)), socket_(io), resolver_(io), retry_timer_(io) {}

void redis_client::start() {
    stopped_ = false;
    connect();
}

void redis_client::stop() {
    stopped_ = true;
    ++generation_;
    retry_timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    connected_ = false;
    for (auto& done : waiting_)
        if (done) done(std::nullopt);
    waiting_.clear();
}

void redis_client::connect() {
    const auto generation = ++generation_;
    resolver_.async_resolve(endpoint_.host, endpoint_.port, [self = shared_from_this(), generation](
                                                                const boost::system::error_code& ec, auto results) {
        if (generation != self->generation_) return;
        if (ec) return self->schedule_reconnect("cannot resolve " + self->endpoint_.host + ": " + ec.message());
        asio::async_connect(self->socket_, results, [self, generation](const boost::system::error_code& ec, const auto&) {
            if (generation != self->generation_) return;
            if (ec) return self->schedule_reconnect(ec.message());
            self->on_connected();
        });
    });
}

void redis_client::on_connected() {
    boost::system::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    parser_.reset();
    connected_ = true;
    backoff_ = first_backoff;
    // Authentication and the database first: Redis answers in order, so what follows
    // runs authenticated. A refusal is logged; the connection then fails its commands.
    auto report = [name = name_](const char* what) {
        return [name, what](std::optional<resp_value> reply) {
            if (reply && reply->is_error()) SB_LOG(error, "cluster") << name << ": " << what << " refused: " << reply->text;
        };
    };
    if (!endpoint_.password.empty()) send(encode_command({"AUTH", endpoint_.password}), report("AUTH"));
    if (endpoint_.db != 0) {
        const auto db = std::to_string(endpoint_.db);
        send(encode_command({"SELECT", db}), report("SELECT"));
    }
    for (const auto& channel : channels_) send(encode_command({"SUBSCRIBE", channel}), {}, false);
    for (const auto& pattern : patterns_) send(encode_command({"PSUBSCRIBE", pattern}), {}, false);
    for (const auto& channel : shard_channels_) send(encode_command({"SSUBSCRIBE", channel}), {}, false);
    SB_LOG(info, "cluster") << name_ << ": connected to Redis at " << endpoint_.host << ":" << endpoint_.port;
    // A subscriber is ready once Redis confirmed every subscription: before that, a
    // message published elsewhere would pass it by.
    unconfirmed_ = channels_.size() + patterns_.size() + shard_channels_.size();
    if (unconfirmed_ == 0 && state_) state_(true);
    read();
}

void redis_client::schedule_reconnect(const std::string& why) {
    if (stopped_) return;
    const bool was_connected = connected_;
    connected_ = false;
    ++generation_;
    boost::system::error_code ignored;
    socket_.close(ignored);
    outbox_.clear();
    writing_.clear();
    // Whoever waits for a reply learns now that none will come.
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& done : waiting)
        if (done) done(std::nullopt);
    if (was_connected) {
        SB_LOG(error, "cluster") << name_ << ": lost Redis at " << endpoint_.host << ":" << endpoint_.port << ": "
                                 << why << "; reconnecting";
        if (state_) state_(false);
    } else {
        SB_LOG(debug, "cluster") << name_ << ": cannot reach Redis at " << endpoint_.host << ":" << endpoint_.port
                                 << ": " << why << "; retrying in " << backoff_.count() << " ms";
    }
    retry_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, max_backoff);
    retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec && !self->stopped_) self->connect();
    });
}

void redis_client::read() {
    read_buffer_.resize(read_chunk);
    socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this(), generation = generation_](
                                                            const boost::system::error_code& ec, std::size_t n) {
        if (generation != self->generation_) return;
        if (ec) return self->schedule_reconnect(ec.message());
        self->parser_.feed(std::string_view(self->read_buffer_).substr(0, n));
        bool malformed = false;
        while (auto value = self->parser_.next(malformed)) {
            self->handle(std::move(*value));
            if (generation != self->generation_) return;   // a handler stopped us
        }
        if (malformed) return self->schedule_reconnect("a reply that is not RESP");
        self->read();
    });
}

void redis_client::handle(resp_value&& value) {
    const bool subscriber = !channels_.empty() || !patterns_.empty() || !shard_channels_.empty();
    if (subscriber && is_push(value)) {
        auto& e = value.elements;
        if ((e[0].text == "message" || e[0].text == "smessage") && e.size() == 3 && push_)
            push_(e[1].text, {}, std::move(e[2].text));
        else if (e[0].text == "pmessage" && e.size() == 4 && push_) push_(e[2].text, e[1].text, std::move(e[3].text));
        else if ((e[0].text == "subscribe" || e[0].text == "psubscribe" || e[0].text == "ssubscribe") && unconfirmed_ > 0 && --unconfirmed_ == 0 &&
                 state_)
            state_(true);
        return;
    }
    if (waiting_.empty()) {
        SB_LOG(warn, "cluster") << name_ << ": a reply nobody asked for";
        return;
    }
    auto done = std::move(waiting_.front());
    waiting_.pop_front();
    if (done) done(std::move(value));
}

void redis_client::command(const std::vector<std::string_view>& args, reply_fn done) {
    if (!connected_) {
        if (done) asio::post(io_, [done = std::move(done)] { done(std::nullopt); });
        return;
    }
    send(encode_command(args), std::move(done));
}

void redis_client::send(std::string bytes, reply_fn done, bool expects_reply) {
    if (expects_reply) waiting_.push_back(std::move(done));
    outbox_.push_back(std::move(bytes));
    if (writing_.empty()) write();
}

void redis_client::write() {
    if (outbox_.empty() || !connected_) return;
    // Everything queued leaves in one write.
    writing_.clear();
    for (auto& bytes : outbox_) writing_ += bytes;
    outbox_.clear();
    asio::async_write(socket_, asio::buffer(writing_), [self = shared_from_this(), generation = generation_](
                                                           const boost::system::error_code& ec, std::size_t) {
        if (generation != self->generation_) return;
        if (ec) return self->schedule_reconnect(ec.message());
        self->writing_.clear();
        self->write();
    });
}

void redis_client::subscribe(const std::string& channel) {
    if (!channels_.insert(channel).second) return;
    if (connected_) send(encode_command({"SUBSCRIBE", channel}), {}, false);
}

void redis_client::psubscribe(const std::string& pattern) {
    if (!patterns_.insert(pattern).second) return;
    if (connected_) send(encode_command({"PSUBSCRIBE", pattern}), {}, false);
}

void redis_client::ssubscribe(const std::string& channel) {
    if (!shard_channels_.insert(channel).second) return;
    if (connected_) send(encode_command({"SSUBSCRIBE", channel}), {}, false);
}

void redis_client::sunsubscribe(const std::string& channel) {
    if (shard_channels_.erase(channel) == 0) return;
    if (connected_) send(encode_command({"SUNSUBSCRIBE", channel}), {}, false);
}

void redis_client::unsubscribe(const std::string& channel) {
    if (channels_.erase(channel) == 0) return;
    if (connected_) send(encode_command({"UNSUBSCRIBE", channel}), {}, false);
}

}  // namespace switchboard::kernel::cluster
