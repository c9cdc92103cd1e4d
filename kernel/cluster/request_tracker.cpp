#include "kernel/cluster/request_tracker.hpp"

#include <boost/asio/post.hpp>

namespace switchboard::kernel::cluster {

struct request_tracker::pending {
    explicit pending(boost::asio::io_context& io) : timer(io) {}
    done_fn done;
    gathered result;
    std::size_t expected_nodes = 0;
    std::size_t nodes_answered = 0;
    std::size_t expected_items = 0;   // announced by the answers so far
    std::size_t items = 0;
    bool counted = false;      // the number of other nodes is known
    bool local_done = false;   // this node's own part is in
    bool timed_out = false;
    boost::asio::steady_timer timer;

    bool complete() const noexcept {
        return counted && local_done &&
               (timed_out || (nodes_answered >= expected_nodes && items >= expected_items));
    }
};

void request_tracker::open(const std::string& id, done_fn done) {
    auto entry = std::make_shared<pending>(io_);
    entry->done = std::move(done);
    pending_[id] = std::move(entry);
    ++requests_;
}

void request_tracker::open_fetch(const std::string& id, local_node& node, const std::string& nsp,
                                 const selection& which, std::function<void(fetch_result)> done) {
    open(id, [done = std::move(done)](gathered answers) {
        done(fetch_result{std::move(answers.items), answers.nodes, answers.partial});
    });
    describe_locally(node, id, nsp, which);
}

void request_tracker::open_broadcast_with_acks(const std::string& id, local_node& node, const std::string& nsp,
                                               const ordered_json& data, const selection& to,
                                               std::chrono::milliseconds timeout, done_fn done) {
    open(id, std::move(done));
    deliver_locally_with_acks(node, id, nsp, data, to, timeout);
}

void request_tracker::describe_locally(local_node& node, const std::string& id, const std::string& nsp,
                                       const selection& which) {
    node.describe(nsp, which, [this, id](ordered_json sockets) {
        boost::asio::post(io_, [this, id, sockets = std::move(sockets)]() mutable {
            local_answered(id, std::move(sockets));
        });
    });
}

void request_tracker::deliver_locally_with_acks(local_node& node, const std::string& id, const std::string& nsp,
                                                const ordered_json& data, const selection& to,
                                                std::chrono::milliseconds timeout) {
    node.deliver_with_acks(
        nsp, data, to, timeout,
        [this, id](std::size_t count) {
            boost::asio::post(io_, [this, id, count] { local_answered(id, ordered_json::array(), count); });
        },
        [this, id](std::optional<ordered_json> answer) {
            boost::asio::post(io_, [this, id, answer = std::move(answer)]() mutable {
                if (answer) return item_arrived(id, std::move(*answer));
                // A client of this node that did not answer in time: nothing more to wait for.
                const auto found = pending_.find(id);
                if (found == pending_.end()) return;
                found->second->result.partial = true;
                ++found->second->items;
                finish_if_complete(id);
            });
        });
}

void request_tracker::local_answered(const std::string& id, ordered_json items, std::size_t items_to_follow) {
    const auto found = pending_.find(id);
    if (found == pending_.end()) return;
    auto& entry = *found->second;
    for (auto& item : items) entry.result.items.push_back(std::move(item));
    entry.expected_items += items_to_follow;
    entry.local_done = true;
    finish_if_complete(id);
}

void request_tracker::expect(const std::string& id, std::size_t nodes, std::chrono::milliseconds timeout,
                             bool unknown) {
    const auto found = pending_.find(id);
    if (found == pending_.end()) return;
    auto& entry = *found->second;
    entry.expected_nodes = nodes;
    entry.counted = true;
    if (unknown) {
        entry.result.partial = true;
        ++timeouts_;
    }
    if (nodes > 0 || !entry.local_done || entry.items < entry.expected_items) {
        entry.timer.expires_after(timeout);
        entry.timer.async_wait([this, id](const boost::system::error_code& ec) {
            if (ec) return;
            const auto found = pending_.find(id);
            if (found == pending_.end()) return;
            found->second->timed_out = true;
            finish_if_complete(id);
        });
    }
    finish_if_complete(id);
}

void request_tracker::node_answered(const std::string& id, const ordered_json& items, std::size_t items_to_follow) {
    const auto found = pending_.find(id);
    if (found == pending_.end()) return;   // someone else's, or too late
    auto& entry = *found->second;
    if (items.is_array())
        for (const auto& item : items) entry.result.items.push_back(item);
    entry.expected_items += items_to_follow;
    ++entry.nodes_answered;
    finish_if_complete(id);
}

void request_tracker::item_arrived(const std::string& id, ordered_json item) {
    const auto found = pending_.find(id);
    if (found == pending_.end()) return;
    found->second->result.items.push_back(std::move(item));
    ++found->second->items;
    finish_if_complete(id);
}

void request_tracker::finish_if_complete(const std::string& id) {
    const auto found = pending_.find(id);
    if (found == pending_.end() || !found->second->complete()) return;
    auto entry = found->second;
    pending_.erase(found);
    entry->timer.cancel();
    if (entry->timed_out) {
        ++timeouts_;
        entry->result.partial = true;
    }
    entry->result.nodes = 1 + entry->nodes_answered;
    entry->done(std::move(entry->result));
}

void request_tracker::cancel_all() {
    for (auto& [id, entry] : pending_) entry->timer.cancel();
    pending_.clear();
}

}  // namespace switchboard::kernel::cluster
