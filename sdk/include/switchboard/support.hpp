// Small pieces every plugin written with sdk.hpp ended up writing for itself: the wall
// clock as the tables and the other nodes read it, and striped locks.
//
// Header-only and outside the C ABI: plugins compile it in, the kernel never sees it.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>

namespace switchboard::sdk {

// Unix time in milliseconds (the wall clock): what plugins store in their tables and
// send as timestamps. The nodes of a cluster share it (NTP) where their steady clocks
// have nothing in common.
inline std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A fixed set of mutexes shared by an unbounded set of keys (rooms, events, users):
// one per key would grow without bound, one for all would serialize unrelated keys.
// Two keys may share a stripe, so a holder never takes a second stripe.
template <class Key, std::size_t Stripes = 64>
class striped_locks {
public:
    std::mutex& of(const Key& key) { return locks_[std::hash<Key>{}(key) % Stripes]; }

private:
    std::array<std::mutex, Stripes> locks_;
};

}  // namespace switchboard::sdk
