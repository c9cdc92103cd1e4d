// GET /status: what `switchboard status` prints, as JSON. Guarded like /metrics
// (server.monitoring_allow); the numbers are the ones /metrics serves, gathered into
// one answer a person can read.
#include "kernel/server.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "kernel/cluster/redis_adapter.hpp"
#include "kernel/cluster/sharded_adapter.hpp"
#include "kernel/cluster/streams_adapter.hpp"
#include "kernel/core/refusals.hpp"
#include "kernel/core/traffic.hpp"
#include "kernel/engineio/server.hpp"
#include "kernel/plugins/plugin_host.hpp"
#include "kernel/socketio/connect_refusals.hpp"
#include "kernel/socketio/server.hpp"

namespace switchboard::kernel {

using ordered_json = nlohmann::ordered_json;

namespace {

ordered_json cluster_status(const std::string& adapter, const std::string& uid, const cluster::link_figures& link) {
    return {{"adapter", adapter},         {"node", uid},
            {"connected", link.connected}, {"outages", link.outages},
            {"requests", link.requests},   {"request_timeouts", link.timeouts},
            {"messages_lost", link.lost}};
}

ordered_json counts_object(const std::vector<std::pair<std::string, std::uint64_t>>& counts) {
    ordered_json out = ordered_json::object();
    for (const auto& [name, count] : counts) out[name] = count;
    return out;
}

}  // namespace

void server::describe_status(std::function<void(std::string json)> done) {
    socketio_->room_counts([this, done = std::move(done)](std::vector<std::pair<std::string, std::size_t>> rooms) {
        const auto traffic = traffic::snapshot();
        ordered_json status;
        status["version"] = SWITCHBOARD_VERSION;
        status["pid"] = ::getpid();
        status["uptime_seconds"] =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
        status["workers"] = workers_.size();
        status["sessions"] = {{"polling", std::max<std::int64_t>(0, traffic.polling_now)},
                              {"websocket", std::max<std::int64_t>(0, traffic.websocket_now)}};
        status["sockets"] = socketio_->connected_sockets.load(std::memory_order_relaxed);
        ordered_json namespaces = ordered_json::array();
        const auto sockets = socketio_->connected_sockets_by_namespace();
        for (std::size_t i = 0; i < sockets.size(); ++i)
            namespaces.push_back({{"name", sockets[i].first},
                                  {"sockets", sockets[i].second},
                                  {"rooms", i < rooms.size() ? rooms[i].second : 0}});
        status["namespaces"] = std::move(namespaces);
        ordered_json plugins = ordered_json::array();
        for (const auto& p : plugins_->health()) {
            ordered_json entry{{"name", p.name}, {"version", p.version}, {"state", p.loaded ? "loaded" : "left out"}};
            if (!p.problem.empty()) entry["problem"] = p.problem;
            entry["failures"] = p.failures;
            entry["reloads"] = p.reloads;
            plugins.push_back(std::move(entry));
        }
        status["plugins"] = std::move(plugins);
        if (cluster_) status["cluster"] = cluster_status("redis", cluster_->uid(), cluster_->link());
        else if (sharded_) status["cluster"] = cluster_status("redis-sharded", sharded_->uid(), sharded_->link());
        else if (streams_) status["cluster"] = cluster_status("redis-streams", streams_->uid(), streams_->link());
        else status["cluster"] = {{"adapter", "none"}};
        if (settings_.socketio.recovery.enabled) {
            auto& recovery = socketio_->recovery_metrics();
            status["recovery"] = {{"recovered", recovery.recovered.load()},
                                  {"replayed_events", recovery.replayed_events.load()},
                                  {"not_recovered", counts_object(recovery.not_recovered_counts())}};
        }
        std::vector<std::pair<std::string, std::uint64_t>> refused;
        for (std::size_t i = 0; i < static_cast<std::size_t>(refusal::count_); ++i)
            if (const auto count = refusal_count(static_cast<refusal>(i)))
                refused.emplace_back(std::string(to_string(static_cast<refusal>(i))), count);
        status["backpressure"] = {{"outgoing_queue_bytes", std::max<std::int64_t>(0, traffic.queued_bytes)},
                                  {"volatile_dropped", traffic.volatile_dropped},
                                  {"pool_queued_events", plugins_->pooled_waiting()},
                                  {"read_pauses", plugins_->read_pauses()},
                                  {"refused", counts_object(refused)}};
        status["connect_refused"] = counts_object(socketio::connect_refusals());
        done(status.dump());
    });
}

}  // namespace switchboard::kernel
