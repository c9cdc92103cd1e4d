// Just enough of the Yjs wire formats to serve documents without Yjs: lib0's varUint
// framing, the v1 update's struct headers (which client, which clocks: a state vector
// without applying anything), and y-protocols' awareness message. Updates themselves are
// never merged or rewritten: they are commutative and idempotent, so the server stores
// and relays them as they came.
//
// Formats (lib0 encoding, y-protocols/awareness, yjs/src/utils/encoding.js):
//   varUint    7 bits a byte, little end first, high bit = more
//   varString  varUint(byte length) UTF-8
//   update v1  varUint(clients) { varUint(structs) varUint(client) varUint(clock) struct* }*
//              delete set: varUint(clients) { varUint(client) varUint(n) {varUint clock, len}* }*
//   state vec  varUint(n) { varUint(client) varUint(clock) }*
//   awareness  varUint(n) { varUint(clientID) varUint(clock) varString(JSON state | "null") }*
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace switchboard::plugins::collab {

using bytes = std::vector<std::uint8_t>;
using byte_view = std::span<const std::uint8_t>;

// The structs one client contributed in an update: clocks [start, end).
struct clock_range {
    std::uint64_t client = 0;
    std::uint64_t start = 0;
    std::uint64_t end = 0;
};

// What an update holds, read without applying it.
struct update_summary {
    std::vector<clock_range> ranges;   // skips (gaps the sender lacked) left out
    std::vector<clock_range> deleted;  // the delete set
    bool deletes = false;              // a non-empty delete set
    // Nothing to store or relay: the answer of a peer that had nothing new.
    bool empty() const { return ranges.empty() && !deletes; }
};

// Reads a v1 update's structure; nullopt when it is not one (truncated, an unknown
// content kind, trailing bytes): such an update is refused, never stored.
std::optional<update_summary> summarize_update(byte_view update);

// The update that changes nothing: [0 structs, 0 deletes].
bytes empty_update();

// Sets of clocks per client, as disjoint ranges merged when they touch.
class clock_set {
public:
    void add(const clock_range& range);
    bool contains(const clock_range& range) const;
    // The end of the run that starts at clock 0 (0 when clock 0 is missing).
    std::uint64_t prefix_end(std::uint64_t client) const;
    const std::map<std::uint64_t, std::map<std::uint64_t, std::uint64_t>>& clients() const { return ranges_; }

private:
    std::map<std::uint64_t, std::map<std::uint64_t, std::uint64_t>> ranges_;
};

// Whether `full` (a peer's whole state) holds everything `part` holds: its structs and
// its deletions. What a full state covers can be dropped from the log once the full
// state is stored; anything else (an update that reached the server after the peer
// answered) must stay.
bool covers(const update_summary& full, const update_summary& part);

// The clocks a document holds for sure, per client: the end of the run of structs
// that starts at clock 0 with no gap. A peer asked with it sends everything past
// these clocks; reporting less than we have only costs a few bytes twice, reporting
// more would lose the peer's structs, so gaps stop the count.
class state_vector {
public:
    void add(const update_summary& summary);
    bytes encode() const;
    std::uint64_t clock_of(std::uint64_t client) const;

private:
    clock_set clocks_;
};

struct awareness_entry {
    std::uint64_t client = 0;
    std::uint64_t clock = 0;
    std::string state;   // JSON text; "null" means the client is gone
};

// A peer's state vector (sync step 1): client -> clock; nullopt when malformed.
std::optional<std::map<std::uint64_t, std::uint64_t>> parse_state_vector(byte_view message);

// nullopt when malformed.
std::optional<std::vector<awareness_entry>> parse_awareness(byte_view message);
bytes encode_awareness(const std::vector<awareness_entry>& entries);

}  // namespace switchboard::plugins::collab
