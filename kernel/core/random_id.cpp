#include "kernel/core/random_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace switchboard::kernel {

namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void fill_random(std::string& id, std::size_t from) {
    std::array<std::uint8_t, id_length> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        // Without entropy no id is safe to hand out; this never happens on Linux.
        throw std::runtime_error("OpenSSL RAND_bytes failed: no secure randomness");
    }
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
