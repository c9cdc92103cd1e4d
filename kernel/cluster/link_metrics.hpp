// The /metrics families every Redis-backed adapter reports about its link to Redis,
// whatever its wire (pub/sub or streams): the same names on every node of a cluster.
#pragma once

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

}  // namespace switchboard::kernel::cluster
