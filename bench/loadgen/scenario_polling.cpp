// Scenario 5: scenario 2's fan-out, received over HTTP long-polling. The sender stays
// on WebSocket, so the figures are the cost of polling delivery.
#include "fanout.hpp"
#include "fleet.hpp"
#include "process_probe.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace switchboard::bench {

int run_polling(const common_options& common, const polling_options& options) {
    const std::string scenario = "polling";
    const std::string n = grouped(options.clients);
    const std::string key_n = "n" + std::to_string(options.clients);
    const process_probe server(common.server_pid);
    shard_pool pool(common.threads);

    fleet clients(pool, common.where, transport::polling);
    if (!clients.connect(options.clients, common.connect_in_flight, std::chrono::seconds(120))) {
        note(scenario, "connecting " + n + " polling clients failed: " + clients.failure());
        return 1;
    }
    fleet sender(pool, common.where, transport::websocket);
    if (!sender.connect(1, 1, std::chrono::seconds(10))) {
        note(scenario, "sender: " + sender.failure());
        return 1;
    }
    fanout f(pool, clients, sender, server, "bench");
    if (!f.join_all(std::chrono::seconds(60))) {
        note(scenario, "not every polling client joined the room");
        return 1;
    }
    note(scenario, n + " polling clients in the room");

    const auto& fan = options.fan;
    auto span = [](double seconds) {
        return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
    };
    fanout_plan isolated;
    isolated.key = "fanout.polling." + key_n + ".isolated";
    isolated.label = "Fan-out polling, N=" + n + ", isolated broadcasts";
    isolated.interval = span(1.0 / fan.isolated_rate);
    isolated.bursts = static_cast<std::size_t>(fan.seconds * fan.isolated_rate);
    isolated.event_bytes = fan.event_bytes;
    f.run(isolated, scenario);

    fanout_plan bursts;
    bursts.key = "fanout.polling." + key_n + ".burst" + std::to_string(fan.burst_size);
    bursts.label = "Fan-out polling, N=" + n + ", bursts of " + std::to_string(fan.burst_size);
    bursts.burst = fan.burst_size;
    bursts.interval = span(1.0 / fan.burst_rate);
    bursts.bursts = std::max<std::size_t>(1, static_cast<std::size_t>(fan.seconds * fan.burst_rate));
    bursts.event_bytes = fan.event_bytes;
    f.run(bursts, scenario);

    const bool lost = clients.failed() > 0;
    if (lost) note(scenario, grouped(clients.failed()) + " polling clients lost: " + clients.failure());
    sender.close_all(std::chrono::seconds(5));
    clients.close_all(std::chrono::seconds(10));
    return lost ? 1 : 0;
}

}  // namespace switchboard::bench
