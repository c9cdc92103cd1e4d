// presence:count for the sockets that asked for it (room "presence:count" of their
// namespace): at most once per tick, and only when the namespace's count changed, so a
// burst of connects costs listeners one packet.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include <switchboard/sdk.hpp>

#include "presence_store.hpp"

namespace switchboard::plugins::presence {

class count_broadcaster {
public:
    count_broadcaster(sdk::plugin& p, const presence_store& store) : plugin_(p), store_(store) {}

    // Called by a timer every count interval.
    void tick();

private:
    sdk::plugin& plugin_;
    const presence_store& store_;
    std::mutex mutex_;                        // ticks may overlap on the pool
    std::map<std::string, std::size_t> sent_;   // namespace -> last count sent
};

}  // namespace switchboard::plugins::presence
