#include "fleet.hpp"

#include "polling_client.hpp"
#include "ws_client.hpp"

namespace switchboard::bench {

fleet::fleet(shard_pool& pool, const target& where, transport kind)
    : pool_(pool), target_(where), kind_(kind), shards_(pool.size()) {}

fleet::~fleet() {
    // Pending operations keep clients alive past the fleet: they must not call it back.
    pool_.run_sync_all([this](std::size_t shard) {
        for (auto& c : shards_[shard].clients) {
            c->detach();
            c->close();
        }
        shards_[shard].clients.clear();
    });
}

void fleet::on_packet(const packet_handler& handler) {
    pool_.run_sync_all([&](std::size_t shard) { shards_[shard].handler = handler; });
}

bool fleet::connect(std::size_t count, std::size_t in_flight, clock::duration timeout) {
    const std::size_t goal = ready_.load() + count;
    in_flight_per_shard_ = std::max<std::size_t>(1, in_flight / pool_.size());
    for (std::size_t shard = 0; shard < pool_.size(); ++shard) {
        const std::size_t share = count / pool_.size() + (shard < count % pool_.size() ? 1 : 0);
        pool_.run_sync(shard, [this, shard, share] {
            shards_[shard].to_start += share;
            start_more(shard);
        });
    }
    const bool all_ready = wait_until([&] { return ready_.load() >= goal || failed_.load() > 0; }, timeout);
    if (all_ready && failed_.load() == 0) return true;
    std::lock_guard lock(failure_mutex_);
    if (first_failure_.empty())
        first_failure_ = std::to_string(ready_.load()) + " of " + std::to_string(goal) + " clients ready in time";
    return false;
}

void fleet::start_more(std::size_t shard) {
    auto& state = shards_[shard];
    while (state.to_start > 0 && state.in_flight < in_flight_per_shard_) {
        --state.to_start;
        ++state.in_flight;
        const std::size_t id = state.clients.size() * pool_.size() + shard;   // unique across shards
        std::shared_ptr<client> c;
        if (kind_ == transport::websocket)
            c = std::make_shared<ws_client>(pool_.io(shard), target_, *this, id, shard);
        else
            c = std::make_shared<polling_client>(pool_.io(shard), target_, *this, id, shard);
        state.clients.push_back(c);
        c->start();
    }
}

void fleet::on_ready(client& c) {
    auto& state = shards_[c.shard()];
    --state.in_flight;
    ready_.fetch_add(1);
    start_more(c.shard());
}

void fleet::on_packet(client& c, const protocol::sio_packet& packet, clock::time_point received) {
    if (auto& handler = shards_[c.shard()].handler) handler(c, packet, received);
}

void fleet::on_closed(client& c, std::string_view reason) {
    closed_.fetch_add(1);
    if (closing_.load()) return;
    failed_.fetch_add(1);
    std::lock_guard lock(failure_mutex_);
    if (first_failure_.empty()) first_failure_ = "client " + std::to_string(c.id()) + ": " + std::string(reason);
}

std::string fleet::failure() const {
    std::lock_guard lock(failure_mutex_);
    return first_failure_;
}

void fleet::for_each(const std::function<void(client&)>& f) {
    pool_.run_sync_all([&](std::size_t shard) {
        for (auto& c : shards_[shard].clients) f(*c);
    });
}

void fleet::close_all(clock::duration timeout) {
    std::size_t total = 0;
    pool_.run_sync_all([&](std::size_t shard) { total += shards_[shard].clients.size(); });
    closing_.store(true);   // from here on a close is the scenario's end, not a failure
    for_each([](client& c) { c.close(); });
    wait_until([&] { return closed_.load() >= total; }, timeout);
}

}  // namespace switchboard::bench
