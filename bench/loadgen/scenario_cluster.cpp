// The cluster row: the fan-out of scenario 2 across two server nodes on one Redis
// (Switchboard's redis adapter, or Node's socket.io with @socket.io/redis-adapter).
// Half the receivers are on each node and the sender is on the first: every tick
// reaches half its audience from the first node directly and half through Redis and
// the second node. What a delivery costs counts every process of the deployment: both
// nodes and redis-server (--server-pid plus --also-pid), as a cluster's owner pays for
// all of them.
#include <vector>

#include "fanout.hpp"
#include "fleet.hpp"
#include "process_probe.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace switchboard::bench {

int run_cluster(const common_options& common, const cluster_options& options) {
    const std::string scenario = "cluster";
    const std::string n = grouped(options.clients);
    const std::string key = "cluster.fanout.n" + std::to_string(options.clients);
    const process_probe deployment(common.server_pid, common.database_pid, common.also_pids);
    if (!deployment.cpu_seconds()) {
        note(scenario, "cannot read the CPU time of every process of the deployment (/proc/<pid>/stat)");
        return 1;
    }
    shard_pool pool(common.threads);

    fleet on_first(pool, common.where, transport::websocket);
    fleet on_second(pool, options.second, transport::websocket);
    const std::size_t first_share = options.clients / 2;
    if (!on_first.connect(first_share, common.connect_in_flight, std::chrono::seconds(120)) ||
        !on_second.connect(options.clients - first_share, common.connect_in_flight, std::chrono::seconds(120))) {
        note(scenario, "connecting " + n + " clients over two nodes failed: " + on_first.failure() + on_second.failure());
        return 1;
    }
    fleet sender(pool, common.where, transport::websocket);
    if (!sender.connect(1, 1, std::chrono::seconds(10))) {
        note(scenario, "sender: " + sender.failure());
        return 1;
    }
    fanout f(pool, {&on_first, &on_second}, sender, deployment, "bench");
    if (!f.join_all(std::chrono::seconds(60))) {
        note(scenario, "not every client joined the room");
        return 1;
    }
    note(scenario, grouped(first_share) + " clients on the first node, " + grouped(options.clients - first_share) +
                       " on the second, the sender on the first");

    // Unmeasured: both nodes run the whole path once (Node compiles its JavaScript
    // lazily, Redis connections warm up) before anything is counted.
    fanout_plan warm;
    warm.interval = std::chrono::milliseconds(20);
    warm.bursts = 50;
    warm.report = false;
    f.run(warm, scenario);

    // Where the deployment's CPU went over both runs, process by process (the first
    // node, then --also-pid's in their order: the second node and redis-server).
    std::vector<process_probe> parts{process_probe(common.server_pid)};
    for (const int pid : common.also_pids) parts.emplace_back(pid);
    std::vector<double> before;
    for (const auto& part : parts) before.push_back(part.cpu_seconds().value_or(0));

    const std::string label = "Fan-out across 2 nodes on one Redis, N=" + n + " (half on each)";
    f.run(isolated_plan(key, label, options.fan), scenario);
    f.run(burst_plan(key, label, options.fan), scenario);

    std::string shares = "CPU over both runs, by process:";
    for (std::size_t i = 0; i < parts.size(); ++i)
        shares += " pid " + std::to_string(parts[i].pid()) + " " +
                  fixed(parts[i].cpu_seconds().value_or(0) - before[i], 2) + " s" + (i + 1 < parts.size() ? "," : "");
    note(scenario, shares);

    const std::size_t lost = on_first.failed() + on_second.failed();
    if (lost > 0) note(scenario, grouped(lost) + " clients lost: " + on_first.failure() + on_second.failure());
    sender.close_all(std::chrono::seconds(5));
    on_first.close_all(std::chrono::seconds(10));
    on_second.close_all(std::chrono::seconds(10));
    return lost > 0 ? 1 : 0;
}

}  // namespace switchboard::bench
