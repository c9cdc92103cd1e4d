// The /metrics families every Redis-backed adapter reports about its link to Redis,
// whatever its wire (pub/sub or streams): the same names on every node of a cluster.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "kernel/core/prometheus_text.hpp"

namespace switchboard::kernel::cluster {

struct link_figures {
    std::uint64_t lost = 0;       // messages not published because Redis was unreachable
    std::uint64_t requests = 0;
    std::uint64_t timeouts = 0;   // requests some node did not answer in time
    std::uint64_t outages = 0;
    bool connected = false;
};

inline void append_link_metrics(std::string& out, const link_figures& f) {
    using prometheus::append_single;
    append_single(out, "switchboard_cluster_messages_lost_total", "counter",
                  "Messages not published because Redis was unreachable.", f.lost);
    append_single(out, "switchboard_cluster_requests_total", "counter", "Cluster-wide requests this node made.",
                  f.requests);
    append_single(out, "switchboard_cluster_request_timeouts_total", "counter",
                  "Requests some node did not answer in time.", f.timeouts);
    append_single(out, "switchboard_cluster_redis_outages_total", "counter", "Times the connection to Redis was lost.",
                  f.outages);
    append_single(out, "switchboard_cluster_redis_connected", "gauge", "Whether this node is subscribed to Redis.",
                  f.connected ? 1 : 0);
}

// What /metrics shows of an adapter on Redis pub/sub (classic or sharded): its messages,
// then its link.
struct pubsub_counters {
    std::atomic<std::uint64_t> published{0};
    std::atomic<std::uint64_t> received{0};

    // The counters in the Prometheus text format.
    std::string metrics_text(const link_figures& link) const {
        std::string out;
        using prometheus::append_single;
        append_single(out, "switchboard_cluster_messages_published_total", "counter",
                      "Messages this node published to the cluster.", published.load());
        append_single(out, "switchboard_cluster_messages_received_total", "counter",
                      "Cluster messages this node received.", received.load());
        append_link_metrics(out, link);
        return out;
    }
};

}  // namespace switchboard::kernel::cluster
