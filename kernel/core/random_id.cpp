#include "kernel/core/random_id.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdint>
#include <stdexcept>

namespace switchboard::kernel {

namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Random bytes drawn from OpenSSL's CSPRNG a page at a time and handed out in order,
// per thread: each RAND_bytes call costs two getpid system calls (its fork check) and
// a lock, and a handshake needs two ids. Each byte is handed out once. (The server
// never forks after it starts: a child would otherwise repeat its parent's bytes.)
class random_bytes {
public:
    void fill(std::uint8_t* into, std::size_t count) {
        while (count > 0) {
            if (next_ == pool_.size()) refill();
            const std::size_t take = std::min(count, pool_.size() - next_);
            std::memcpy(into, pool_.data() + next_, take);
            // What was handed out does not stay behind in memory.
            std::memset(pool_.data() + next_, 0, take);
            next_ += take;
            into += take;
            count -= take;
        }
    }

private:
    void refill() {
        if (RAND_bytes(pool_.data(), static_cast<int>(pool_.size())) != 1) {
            // Without entropy no id is safe to hand out; this never happens on Linux.
            throw std::runtime_error("OpenSSL RAND_bytes failed: no secure randomness");
        }
        next_ = 0;
    }

    std::array<std::uint8_t, 4096> pool_{};
    std::size_t next_ = pool_.size();
};

void fill_random(std::string& id, std::size_t from) {
    thread_local random_bytes source;
    std::array<std::uint8_t, id_length> bytes{};
    source.fill(bytes.data() + from, id_length - from);
    for (std::size_t i = from; i < id_length; ++i) id[i] = alphabet[bytes[i] & 63];
}

}  // namespace

std::string make_session_id(std::size_t worker) {
    std::string id(id_length, 'A');
    id[0] = alphabet[worker % max_workers];
    fill_random(id, 1);
    return id;
}

std::string make_random_id() {
    std::string id(id_length, 'A');
    fill_random(id, 0);
    return id;
}

std::optional<std::size_t> worker_of_session_id(std::string_view sid) noexcept {
    if (sid.size() != id_length) return std::nullopt;
    const auto pos = alphabet.find(sid[0]);
    if (pos == std::string_view::npos) return std::nullopt;
    return pos;
}

}  // namespace switchboard::kernel
