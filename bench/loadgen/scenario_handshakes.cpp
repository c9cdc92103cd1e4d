// Scenario 4: new clients as fast as the server takes them. Each opens a WebSocket,
// receives the Engine.IO open packet, joins "/" with a Socket.IO CONNECT, waits for its
// answer and closes; a fixed number are under way at any time.
#include <atomic>
#include <thread>
#include <unordered_map>

#include "process_probe.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "shard_pool.hpp"
#include "ws_client.hpp"

namespace switchboard::bench {

namespace {

std::int64_t to_ns(clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Keeps `slots` clients going on one shard: each one closed starts the next.
class churn final : public client_listener {
public:
    churn(asio::io_context& io, const target& where, std::size_t shard, std::size_t slots, std::int64_t from_ns,
          std::int64_t until_ns)
        : io_(io), where_(where), shard_(shard), slots_(slots), from_ns_(from_ns), until_ns_(until_ns) {}

    void start() {
        for (std::size_t i = 0; i < slots_; ++i) start_one();
    }
    void stop() {
        stopping_ = true;
        for (auto& [id, c] : live_) c->close();
    }
    // Before this goes away: its clients' pending operations must not call it back.
    void detach_all() {
        stopping_ = true;
        for (auto& [id, c] : live_) {
            c->detach();
            c->close();
        }
        live_.clear();
        live.store(0);
    }

    histogram latency;            // connect to CONNECT answer, within the window
    std::uint64_t completed = 0;  // CONNECT answers within the window
    std::uint64_t failed = 0;
    std::string first_failure;
    std::atomic<std::size_t> live{0};

private:
    void start_one() {
        auto c = std::make_shared<ws_client>(io_, where_, *this, next_id_++, shard_);
        live_.emplace(c->id(), c);
        live.store(live_.size());
        c->start();
    }

    void on_ready(client& c) override {
        const auto now = clock::now();
        const std::int64_t at = to_ns(now);
        if (at >= from_ns_ && at < until_ns_) {
            ++completed;
            latency.record(at - to_ns(c.started_at()));
        }
        c.counter = 1;   // reached CONNECT: its close is no failure
        c.close();
    }

    void on_packet(client&, const protocol::sio_packet&, clock::time_point) override {}

    void on_closed(client& c, std::string_view reason) override {
        if (c.counter == 0 && !stopping_) {
            ++failed;
            if (first_failure.empty()) first_failure = std::string(reason);
        }
        live_.erase(c.id());   // the client's own handler still holds it
        live.store(live_.size());
        if (!stopping_ && to_ns(clock::now()) < until_ns_) start_one();
    }

    asio::io_context& io_;
    const target& where_;
    std::size_t shard_;
    std::size_t slots_;
    std::int64_t from_ns_;
    std::int64_t until_ns_;
    bool stopping_ = false;
    std::size_t next_id_ = 0;
    std::unordered_map<std::size_t, std::shared_ptr<client>> live_;
};

}  // namespace

int run_handshakes(const common_options& common, const handshakes_options& options) {
    const std::string scenario = "handshakes";
    const process_probe server(common.server_pid);
    shard_pool pool(common.threads);

    const auto start = clock::now() + std::chrono::milliseconds(20);
    const auto window_start = start + std::chrono::duration_cast<clock::duration>(
                                          std::chrono::duration<double>(options.warmup_seconds));
    const auto window_end =
        window_start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(options.seconds));
    std::vector<std::unique_ptr<churn>> shards;
    for (std::size_t shard = 0; shard < pool.size(); ++shard) {
        const std::size_t slots =
            std::max<std::size_t>(1, options.concurrency / pool.size() + (shard < options.concurrency % pool.size()));
        shards.push_back(std::make_unique<churn>(pool.io(shard), common.where, shard, slots, to_ns(window_start),
                                                 to_ns(window_end)));
    }
    std::this_thread::sleep_until(start);
    for (std::size_t shard = 0; shard < pool.size(); ++shard) pool.post(shard, [c = shards[shard].get()] { c->start(); });
    std::this_thread::sleep_until(window_start);
    const double cpu_before = server.cpu_seconds().value_or(0);
    const double own_before = own_cpu_seconds();
    std::this_thread::sleep_until(window_end);
    const double server_cpu = server.cpu_seconds().value_or(0) - cpu_before;
    const double own_cpu = own_cpu_seconds() - own_before;

    // Clients still under way finish (or are cut) before the tallies are read.
    const bool drained = wait_until(
        [&] {
            for (const auto& c : shards)
                if (c->live.load() > 0) return false;
            return true;
        },
        std::chrono::seconds(5));
    if (!drained)
        for (std::size_t shard = 0; shard < pool.size(); ++shard)
            pool.run_sync(shard, [c = shards[shard].get()] { c->stop(); });
    wait_until(
        [&] {
            for (const auto& c : shards)
                if (c->live.load() > 0) return false;
            return true;
        },
        std::chrono::seconds(5));

    histogram latency;
    std::uint64_t completed = 0, failed = 0;
    std::string first_failure;
    pool.run_sync_all([&](std::size_t shard) {
        latency.merge(shards[shard]->latency);
        completed += shards[shard]->completed;
        failed += shards[shard]->failed;
        if (first_failure.empty()) first_failure = shards[shard]->first_failure;
    });

    const double wall = options.seconds;
    note(scenario, grouped(completed) + " handshakes in " + fixed(wall, 1) + " s; server CPU " +
                       fixed(server_cpu, 2) + " s, load generator CPU " + fixed(own_cpu, 2) + " s");
    if (failed > 0) note(scenario, grouped(failed) + " handshakes failed, first: " + first_failure);
    const std::string what = "Handshakes (WebSocket + Socket.IO CONNECT, then close), " +
                             std::to_string(options.concurrency) + " at a time";
    print({"handshakes.c" + std::to_string(options.concurrency) + ".per_s", what + ": handshakes per second reached",
           completed / wall, "/s", "info"});
    print({"handshakes.c" + std::to_string(options.concurrency) + ".per_cpu_s",
           what + ": handshakes per server-CPU-second", server_cpu > 0 ? completed / server_cpu : 0, "/s", "higher",
           "ratio>=10"});
    print({"handshakes.c" + std::to_string(options.concurrency) + ".latency.p99_ms",
           what + ": connect to CONNECT answer, p99",
           latency.percentile(0.99) / 1e6, "ms", "lower"});
    print({"handshakes.c" + std::to_string(options.concurrency) + ".server_cpu_pct",
           what + ": server CPU, % of one core", 100 * server_cpu / wall, "%", "info"});
    print({"handshakes.c" + std::to_string(options.concurrency) + ".loadgen_cpu_pct",
           what + ": load generator CPU, % of one core", 100 * own_cpu / wall, "%", "info"});
    if (failed > 0)
        print({"handshakes.c" + std::to_string(options.concurrency) + ".failed", what + ": handshakes failed",
               static_cast<double>(failed), "", "lower"});
    pool.run_sync_all([&](std::size_t shard) { shards[shard]->detach_all(); });
    return completed > 0 ? 0 : 1;
}

}  // namespace switchboard::bench
