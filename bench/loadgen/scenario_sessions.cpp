// Scenarios 1 (idle sessions) and 2 (fan-out over WebSocket) share their clients:
// connecting 10,000 sessions once serves both.
#include <unistd.h>

#include <thread>

#include "fanout.hpp"
#include "fleet.hpp"
#include "helper_processes.hpp"
#include "process_probe.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace switchboard::bench {

namespace {

using seconds_d = std::chrono::duration<double>;

clock::duration span(double seconds) {
    return std::chrono::duration_cast<clock::duration>(seconds_d(seconds));
}

// A few sessions that touch every code path once before anything is measured: Node
// compiles its JavaScript lazily, and that memory is not the sessions'.
bool warm_up(shard_pool& pool, const target& where, const std::string& scenario) {
    fleet warm(pool, where, transport::websocket);
    fleet sender(pool, where, transport::websocket);
    const process_probe none(0);
    if (!warm.connect(20, 20, std::chrono::seconds(10)) || !sender.connect(1, 1, std::chrono::seconds(10))) {
        note(scenario, "warm-up failed: " + warm.failure() + sender.failure());
        return false;
    }
    warm.for_each([](client& c) {
        c.emit(protocol::event_packet("/", 7, "[\"message-with-ack\",1,\"warm\"]"));
    });
    fanout f(pool, {&warm}, sender, none, "warm-up");
    if (!f.join_all(std::chrono::seconds(10))) return false;
    fanout_plan plan;
    plan.interval = std::chrono::milliseconds(10);
    plan.bursts = 50;
    plan.report = false;
    f.run(plan, scenario);
    warm.close_all(std::chrono::seconds(5));
    sender.close_all(std::chrono::seconds(5));
    return true;
}

}  // namespace

int run_sessions(const common_options& common, const sessions_options& options) {
    const std::string scenario = "sessions";
    const std::string n = grouped(options.clients);
    const std::string key_n = "n" + std::to_string(options.clients);
    const process_probe server(common.server_pid);
    shard_pool pool(common.threads);

    if (!warm_up(pool, common.where, scenario)) return 1;
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const auto rss_before = server.rss_bytes();
    if (!rss_before) {
        note(scenario, "cannot read /proc/" + std::to_string(common.server_pid) + "/status");
        return 1;
    }

    fleet clients(pool, common.where, transport::websocket);
    const auto connect_start = clock::now();
    const double connect_cpu_before = server.cpu_seconds().value_or(0);
    // This process's share, and the helpers' (the same size, the remainder here).
    helper_processes helpers;
    const std::size_t share = options.clients / options.processes;
    for (std::size_t i = 1; i < options.processes; ++i) {
        if (!helpers.start(common.where, share, common.connect_in_flight)) {
            note(scenario, "starting a helper process failed: " + helpers.failure());
            return 1;
        }
    }
    const std::size_t own = options.clients - share * (options.processes - 1);
    if (!clients.connect(own, common.connect_in_flight, std::chrono::seconds(120))) {
        note(scenario, "connecting " + grouped(own) + " clients failed: " + clients.failure());
        return 1;
    }
    if (!helpers.wait_ready(std::chrono::seconds(120))) {
        note(scenario, "helper processes: " + helpers.failure());
        return 1;
    }
    const double connect_seconds = seconds_d(clock::now() - connect_start).count();
    const double connect_cpu = server.cpu_seconds().value_or(0) - connect_cpu_before;
    note(scenario, n + " sessions connected in " + fixed(connect_seconds, 2) + " s (server CPU " +
                       fixed(connect_cpu, 2) + " s)");

    std::this_thread::sleep_for(span(options.settle_seconds));
    const auto rss_after = server.rss_bytes().value_or(0);
    const double per_session = (static_cast<double>(rss_after) - static_cast<double>(*rss_before)) /
                               static_cast<double>(options.clients);
    note(scenario, "RSS " + fixed(*rss_before / 1048576.0, 1) + " MiB at 0, " + fixed(rss_after / 1048576.0, 1) +
                       " MiB at " + n);
    print({"idle." + key_n + ".rss_per_session_bytes",
           "Idle WebSocket sessions, N=" + n + ": RSS per session, (RSS at N - RSS at 0) / N", per_session, "B",
           "lower", "value<=2048"});
    print({"idle." + key_n + ".rss_total_mib", "Idle WebSocket sessions, N=" + n + ": server RSS with N sessions",
           rss_after / 1048576.0, "MiB", "info"});

    if (options.idle_seconds > 0) {
        const double cpu_before = server.cpu_seconds().value_or(0);
        const auto idle_start = clock::now();
        std::this_thread::sleep_for(span(options.idle_seconds));
        const double cpu = server.cpu_seconds().value_or(0) - cpu_before;
        const double wall = seconds_d(clock::now() - idle_start).count();
        print({"idle." + key_n + ".cpu_ms_per_s",
               "Idle WebSocket sessions, N=" + n + ", 25 s heartbeats: server CPU in ms per second (" +
                   fixed(options.idle_seconds, 0) + " s window, resolution " +
                   fixed(1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK)) / options.idle_seconds, 2) + " ms/s)",
               1000 * cpu / wall, "ms/s", "lower"});
    }
    if (clients.failed() > 0) {
        note(scenario, grouped(clients.failed()) + " sessions lost while idle: " + clients.failure());
        return 1;
    }
    // The fan-out below is this process's clients only: the helpers' sessions go.
    helpers.release();

    if (options.fanout) {
        fleet sender(pool, common.where, transport::websocket);
        if (!sender.connect(1, 1, std::chrono::seconds(10))) {
            note(scenario, "sender: " + sender.failure());
            return 1;
        }
        fanout f(pool, {&clients}, sender, server, "bench");
        if (!f.join_all(std::chrono::seconds(60))) {
            note(scenario, "not every client joined the room");
            return 1;
        }
        const std::string label = "Fan-out WS, N=" + n;
        auto isolated = isolated_plan("fanout.ws." + key_n, label, options.fan);
        isolated.throughput_target = "ratio>=2";
        isolated.p99_target = "ratio>=5";
        f.run(isolated, scenario);

        auto bursts = burst_plan("fanout.ws." + key_n, label, options.fan);
        bursts.throughput_target = "ratio>=15";
        bursts.p99_target = "ratio>=5";
        f.run(bursts, scenario);
        sender.close_all(std::chrono::seconds(5));
    }
    const bool lost = clients.failed() > 0;
    if (lost) note(scenario, grouped(clients.failed()) + " sessions lost: " + clients.failure());
    clients.close_all(std::chrono::seconds(10));
    return lost ? 1 : 0;
}

}  // namespace switchboard::bench
