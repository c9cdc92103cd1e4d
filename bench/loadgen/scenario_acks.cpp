// Scenario 3: every client sends `message-with-ack` and waits for the ack before sending
// the next (closed loop), so the offered load is whatever the server sustains.
#include <thread>

#include "fleet.hpp"
#include "process_probe.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace switchboard::bench {

namespace {

// Around the arguments of a request: '4', '2', the ack id (up to 7 digits here),
// ["<event>", ... ].
std::size_t request_overhead(const std::string& event) { return 1 + 1 + 7 + event.size() + 4 + 1; }

std::int64_t to_ns(clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

struct shard_tally {
    histogram round_trips;
    std::uint64_t acks = 0;     // within the window
    std::uint64_t refused = 0;  // error acks ([{code, message}]), at any time
    std::string first_refusal;
};

// The platform's error ack: [{"code": ..., "message": ...}] (also Node's, in bench/reference).
bool is_error_ack(std::string_view data) {
    return data.starts_with("[{") && data.find("\"code\"") != std::string_view::npos;
}

}  // namespace

int run_acks(const common_options& common, const acks_options& options) {
    const std::string scenario = options.key;
    const std::string n = grouped(options.clients);
    const process_probe server(common.server_pid, common.database_pid);
    const std::string cpu_second = server.counts_database() ? "server-CPU-second (database included)" : "server-CPU-second";
    shard_pool pool(common.threads);
    fleet clients(pool, common.where, transport::websocket);
    if (!clients.connect(options.clients, common.connect_in_flight, std::chrono::seconds(60))) {
        note(scenario, "connecting " + n + " clients failed: " + clients.failure());
        return 1;
    }

    const auto start = clock::now() + std::chrono::milliseconds(50);
    const auto window_start = start + std::chrono::duration_cast<clock::duration>(
                                          std::chrono::duration<double>(options.warmup_seconds));
    const auto window_end =
        window_start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(options.seconds));
    const std::int64_t from_ns = to_ns(window_start), until_ns = to_ns(window_end);
    std::vector<shard_tally> tallies(pool.size());
    std::atomic<std::size_t> stopped{0};

    auto send_next = [&](client& c) {
        ++c.counter;
        c.mark = clock::now();
        std::string array = "[\"" + options.event + "\",";
        array += protocol::sized_arguments(c.counter, request_overhead(options.event), options.event_bytes);
        array += ']';
        c.emit(protocol::event_packet("/", c.counter, array));
    };
    clients.on_packet([&](client& c, const protocol::sio_packet& packet, clock::time_point received) {
        if (packet.type != protocol::sio_ack || packet.ack_id != c.counter) return;
        const std::int64_t at = to_ns(received);
        if (is_error_ack(packet.data)) {
            auto& t = tallies[c.shard()];
            if (t.refused++ == 0) t.first_refusal = std::string(packet.data.substr(0, 200));
        }
        if (at >= from_ns && at < until_ns) {
            auto& t = tallies[c.shard()];
            ++t.acks;
            t.round_trips.record(at - to_ns(c.mark));
        }
        if (at < until_ns) return send_next(c);
        stopped.fetch_add(1);
    });

    std::this_thread::sleep_until(start);
    clients.for_each(send_next);
    std::this_thread::sleep_until(window_start);
    const double cpu_before = server.cpu_seconds().value_or(0);
    const double own_before = own_cpu_seconds();
    std::this_thread::sleep_until(window_end);
    const double server_cpu = server.cpu_seconds().value_or(0) - cpu_before;
    const double own_cpu = own_cpu_seconds() - own_before;
    wait_until([&] { return stopped.load() >= clients.ready() - clients.failed(); }, std::chrono::seconds(10));

    histogram round_trips;
    std::uint64_t acks = 0, refused = 0;
    std::string first_refusal;
    pool.run_sync_all([&](std::size_t shard) {
        round_trips.merge(tallies[shard].round_trips);
        acks += tallies[shard].acks;
        refused += tallies[shard].refused;
        if (first_refusal.empty()) first_refusal = tallies[shard].first_refusal;
    });
    clients.on_packet({});
    const double wall = options.seconds;
    note(scenario, grouped(acks) + " acks (round trips sampled) in " + fixed(wall, 1) + " s; server CPU " + fixed(server_cpu, 2) +
                       " s, load generator CPU " + fixed(own_cpu, 2) + " s");
    const std::string what = options.title + ", N=" + n + " clients in closed loop, ~" +
                             std::to_string(options.event_bytes) + "-byte emits";
    const std::string key = options.key + ".n" + std::to_string(options.clients);
    print({key + ".acks_per_s", what + ": acks per second reached", acks / wall, "/s", "info"});
    print({key + ".acks_per_cpu_s", what + ": acks per " + cpu_second, server_cpu > 0 ? acks / server_cpu : 0, "/s",
           "higher", options.key == "acks" ? "ratio>=10" : "-"});
    print({key + ".round_trip.p50_ms", what + ": round trip p50", round_trips.percentile(0.5) / 1e6, "ms", "info"});
    print({key + ".round_trip.p99_ms", what + ": round trip p99", round_trips.percentile(0.99) / 1e6, "ms", "lower"});
    print({key + ".round_trips", what + ": round trips measured", static_cast<double>(acks), "", "info"});
    print({key + ".server_cpu_pct", what + (server.counts_database() ? ": server and database CPU, % of one core" : ": server CPU, % of one core"),
           100 * server_cpu / wall, "%", "info"});
    print({key + ".loadgen_cpu_pct",
           what + ": load generator CPU, % of one core", 100 * own_cpu / wall, "%", "info"});

    const bool lost = clients.failed() > 0;
    if (lost) note(scenario, grouped(clients.failed()) + " clients lost: " + clients.failure());
    // A handler that refuses is measured doing something else: the run does not count.
    if (refused > 0) note(scenario, grouped(refused) + " error acks, the first: " + first_refusal);
    clients.close_all(std::chrono::seconds(10));
    return lost || refused > 0 ? 1 : 0;
}

}  // namespace switchboard::bench
