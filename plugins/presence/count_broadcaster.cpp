#include "count_broadcaster.hpp"

#include "rooms.hpp"

namespace switchboard::plugins::presence {

void count_broadcaster::tick() {
    std::lock_guard lock(mutex_);
    for (const auto& nsp : store_.namespaces()) {
        const std::size_t count = store_.users_in(nsp);
        const auto sent = sent_.find(nsp);
        if (sent != sent_.end() && sent->second == count) continue;
        sent_[nsp] = count;
        plugin_.emit(sdk::target::to_room(nsp, std::string(count_room)), "presence:count",
                     sdk::json::array({sdk::json{{"count", count}}}));
    }
}

}  // namespace switchboard::plugins::presence
