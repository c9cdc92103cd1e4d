#include "kernel/cluster/redis_backed_adapter.hpp"

namespace switchboard::kernel::cluster {

redis_backed_adapter::redis_backed_adapter(const redis_cluster_settings& settings, local_node& node, std::string uid)
    : node_(node),
      uid_(std::move(uid)),
      link_(settings.url, settings.namespaces) {}

void redis_backed_adapter::fetch(const std::string& nsp, const selection& which,
                                 std::function<void(fetch_result)> done) {
    link_.post([this, nsp, which, done = std::move(done)]() mutable {
        const auto request_id = new_request_id();
        // This node's part, from its workers; the request's end waits for it too.
        link_.requests().open_fetch(request_id, node_, nsp, which, std::move(done));
        ask_fetch(nsp, request_id, which);
    });
}

void redis_backed_adapter::broadcast_with_acks(const std::string& nsp, const ordered_json& data, const selection& to,
                                               std::chrono::milliseconds timeout,
                                               std::function<void(gathered)> done) {
    link_.post([this, nsp, data, to, timeout, done = std::move(done)]() mutable {
        const auto request_id = new_request_id();
        link_.requests().open_broadcast_with_acks(request_id, node_, nsp, data, to, timeout, std::move(done));
        ask_acks(nsp, request_id, data, to, timeout);
    });
}

}  // namespace switchboard::kernel::cluster
