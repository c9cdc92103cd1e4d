#include "kernel/cluster/redis_link.hpp"

#include <algorithm>

#include "kernel/core/log.hpp"

namespace switchboard::kernel::cluster {

redis_link::redis_link(const std::string& url, std::vector<std::string> namespaces)
    : namespaces_(std::move(namespaces)), endpoint_(redis_endpoint::parse(url)), work_(io_.get_executor()) {
    commands_ = std::make_shared<redis_client>(io_, endpoint_, "cluster commands");
    subscriber_ = std::make_shared<redis_client>(io_, endpoint_, "cluster subscriber");
}

redis_link::~redis_link() { stop(); }

bool redis_link::serves(const std::string& nsp) const {
    return std::find(namespaces_.begin(), namespaces_.end(), nsp) != namespaces_.end();
}

void redis_link::start(redis_client::push_fn on_push) {
    subscriber_->on_push([on_push = std::move(on_push)](std::string_view channel, std::string_view pattern,
                                                        std::string payload) {
        try {
            on_push(channel, pattern, std::move(payload));
        } catch (const std::exception& e) {
            SB_LOG(warn, "cluster") << "a malformed message on " << channel << ": " << e.what();
        }
    });
    subscriber_->on_state([this](bool connected) {
        connected_ = connected;
        if (!connected) ++outages_;
    });
    commands_->start();
    subscriber_->start();
    thread_ = std::thread([this] { io_.run(); });
}

void redis_link::stop(std::function<void()> before) {
    if (!thread_.joinable()) return;
    post([this, before = std::move(before)] {
        if (before) before();
        commands_->stop();
        subscriber_->stop();
        requests_.cancel_all();
        work_.reset();
        io_.stop();
    });
    thread_.join();
}

void redis_link::send(const std::vector<std::string_view>& command, std::function<void(bool)> done) {
    commands_->command(command, [this, done = std::move(done)](std::optional<resp_value> reply) {
        const bool taken = reply && !reply->is_error();
        if (!taken) ++lost_;
        if (done) done(taken);
    });
}

void redis_link::ask(std::string_view count, const std::string& channel, const std::string& request_id,
                     std::chrono::milliseconds timeout, std::function<void()> publish) {
    commands_->command({"PUBSUB", count, channel}, [this, request_id, timeout, publish = std::move(publish)](
                                                        std::optional<resp_value> reply) {
        if (!requests_.contains(request_id)) return;
        // [channel, subscribers]; this node is one of them.
        std::size_t others = 0;
        if (reply && reply->is_array() && reply->elements.size() == 2 && reply->elements[1].integer > 1)
            others = static_cast<std::size_t>(reply->elements[1].integer - 1);
        if (others > 0) publish();
        requests_.expect(request_id, others, timeout, !reply);
    });
}

}  // namespace switchboard::kernel::cluster
