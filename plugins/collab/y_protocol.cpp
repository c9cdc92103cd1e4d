#include "y_protocol.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace switchboard::plugins::collab {

namespace {

struct malformed : std::runtime_error {
    malformed() : std::runtime_error("malformed") {}
};

class reader {
public:
    explicit reader(byte_view data) : data_(data) {}

    bool done() const { return pos_ == data_.size(); }

    std::uint8_t u8() {
        if (pos_ >= data_.size()) throw malformed();
        return data_[pos_++];
    }

    std::uint64_t var_uint() {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const auto byte = u8();
            value |= std::uint64_t(byte & 0x7f) << shift;
            if (!(byte & 0x80)) return value;
        }
        throw malformed();
    }

    // lib0 varInt: sign in bit 6 of the first byte, 6 value bits there, then 7 a byte.
    void skip_var_int() {
        auto byte = u8();
        for (int i = 0; (byte & 0x80) && i < 10; ++i) byte = u8();
        if (byte & 0x80) throw malformed();
    }

    byte_view take(std::uint64_t n) {
        if (n > data_.size() - pos_) throw malformed();
        const auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    std::string var_string() {
        const auto text = take(var_uint());
        return {text.begin(), text.end()};
    }

    void skip_var_bytes() { take(var_uint()); }

    // A lib0 "any" value (ContentAny, ContentDoc options).
    void skip_any(int depth = 0) {
        if (depth > 64) throw malformed();
        switch (u8()) {
            case 127: case 126: case 121: case 120: return;   // undefined, null, false, true
            case 125: return skip_var_int();
            case 124: take(4); return;                         // float32
            case 123: case 122: take(8); return;               // float64, bigint64
            case 119: return skip_var_bytes();                 // string
            case 118: {                                        // object
                for (auto n = var_uint(); n > 0; --n) {
                    skip_var_bytes();
                    skip_any(depth + 1);
                }
                return;
            }
            case 117: {                                        // array
                for (auto n = var_uint(); n > 0; --n) skip_any(depth + 1);
                return;
            }
            case 116: return skip_var_bytes();                 // Uint8Array
            default: throw malformed();
        }
    }

private:
    byte_view data_;
    std::size_t pos_ = 0;
};

// JavaScript's string length (UTF-16 code units) of UTF-8 text: a ContentString's
// length in clocks.
std::uint64_t utf16_length(const std::string& text) {
    std::uint64_t units = 0;
    for (const unsigned char c : text) {
        if ((c & 0xc0) == 0x80) continue;    // continuation byte
        units += (c >= 0xf0) ? 2 : 1;        // 4-byte sequences are surrogate pairs
    }
    return units;
}

// Reads an item's content; returns its length in clocks.
std::uint64_t item_content_length(reader& in, unsigned ref) {
    switch (ref) {
        case 1: return in.var_uint();                            // deleted
        case 2: {                                                // JSON
            const auto n = in.var_uint();
            for (std::uint64_t i = 0; i < n; ++i) in.skip_var_bytes();
            return n;
        }
        case 3: in.skip_var_bytes(); return 1;                   // binary
        case 4: return utf16_length(in.var_string());           // string
        case 5: in.skip_var_bytes(); return 1;                   // embed (JSON text)
        case 6: in.skip_var_bytes(); in.skip_var_bytes(); return 1;   // format: key, value
        case 7: {                                                // type
            const auto type = in.var_uint();
            if (type > 6) throw malformed();
            if (type == 3 || type == 5) in.skip_var_bytes();     // XmlElement, XmlHook: name
            return 1;
        }
        case 8: {                                                // any
            const auto n = in.var_uint();
            for (std::uint64_t i = 0; i < n; ++i) in.skip_any();
            return n;
        }
        case 9: in.skip_var_bytes(); in.skip_any(); return 1;    // subdocument: guid, options
        default: throw malformed();
    }
}

void write_var_uint(bytes& out, std::uint64_t value) {
    while (value > 0x7f) {
        out.push_back(static_cast<std::uint8_t>(0x80 | (value & 0x7f)));
        value >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(value));
}

void write_var_string(bytes& out, const std::string& text) {
    write_var_uint(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
}

}  // namespace

std::optional<update_summary> summarize_update(byte_view update) {
    try {
        reader in(update);
        update_summary out;
        for (auto clients = in.var_uint(); clients > 0; --clients) {
            const auto structs = in.var_uint();
            const auto client = in.var_uint();
            auto clock = in.var_uint();
            std::uint64_t run_start = clock;
            const auto close_run = [&] {
                if (clock > run_start) out.ranges.push_back({client, run_start, clock});
            };
            for (std::uint64_t i = 0; i < structs; ++i) {
                const auto info = in.u8();
                const unsigned ref = info & 0x1f;
                if (ref == 0) {            // GC: known, collected
                    clock += in.var_uint();
                    continue;
                }
                if (ref == 10) {           // skip: the sender lacks these clocks
                    close_run();
                    clock += in.var_uint();
                    run_start = clock;
                    continue;
                }
                if (info & 0x80) { in.var_uint(); in.var_uint(); }   // origin id
                if (info & 0x40) { in.var_uint(); in.var_uint(); }   // right origin id
                if ((info & 0xc0) == 0) {
                    // No origin to copy the parent from: a root type name or a parent id.
                    if (in.var_uint() == 1) in.skip_var_bytes();
                    else { in.var_uint(); in.var_uint(); }
                    if (info & 0x20) in.skip_var_bytes();                // parentSub (map key)
                }
                const auto length = item_content_length(in, ref);
                if (length == 0) throw malformed();
                clock += length;
            }
            close_run();
        }
        for (auto clients = in.var_uint(); clients > 0; --clients) {
            const auto client = in.var_uint();
            for (auto deletes = in.var_uint(); deletes > 0; --deletes) {
                const auto clock = in.var_uint();
                const auto length = in.var_uint();
                if (length > 0) out.deleted.push_back({client, clock, clock + length});
            }
        }
        out.deletes = !out.deleted.empty();
        if (!in.done()) return std::nullopt;
        return out;
    } catch (const malformed&) {
        return std::nullopt;
    }
}

bytes empty_update() { return {0, 0}; }

void clock_set::add(const clock_range& range) {
    if (range.end <= range.start) return;
    auto& runs = ranges_[range.client];
    auto start = range.start;
    auto end = range.end;
    // Absorb every run that overlaps or touches [start, end).
    auto it = runs.upper_bound(start);
    if (it != runs.begin()) {
        auto before = std::prev(it);
        if (before->second >= start) {
            start = before->first;
            end = std::max(end, before->second);
            it = runs.erase(before);
        }
    }
    while (it != runs.end() && it->first <= end) {
        end = std::max(end, it->second);
        it = runs.erase(it);
    }
    runs[start] = end;
}

bool clock_set::contains(const clock_range& range) const {
    if (range.end <= range.start) return true;
    const auto client = ranges_.find(range.client);
    if (client == ranges_.end()) return false;
    auto it = client->second.upper_bound(range.start);
    if (it == client->second.begin()) return false;
    --it;
    return it->first <= range.start && it->second >= range.end;
}

std::uint64_t clock_set::prefix_end(std::uint64_t client) const {
    const auto it = ranges_.find(client);
    if (it == ranges_.end() || it->second.empty() || it->second.begin()->first != 0) return 0;
    return it->second.begin()->second;
}

bool covers(const update_summary& full, const update_summary& part) {
    clock_set structs;
    for (const auto& r : full.ranges) structs.add(r);
    clock_set deleted;
    for (const auto& r : full.deleted) deleted.add(r);
    for (const auto& r : part.ranges)
        if (!structs.contains(r)) return false;
    for (const auto& r : part.deleted)
        if (!deleted.contains(r)) return false;
    return true;
}

void state_vector::add(const update_summary& summary) {
    for (const auto& r : summary.ranges) clocks_.add(r);
}

std::uint64_t state_vector::clock_of(std::uint64_t client) const { return clocks_.prefix_end(client); }

bytes state_vector::encode() const {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> known;
    for (const auto& [client, runs] : clocks_.clients())
        if (const auto clock = clock_of(client); clock > 0) known.emplace_back(client, clock);
    bytes out;
    write_var_uint(out, known.size());
    for (const auto& [client, clock] : known) {
        write_var_uint(out, client);
        write_var_uint(out, clock);
    }
    return out;
}

std::optional<std::map<std::uint64_t, std::uint64_t>> parse_state_vector(byte_view message) {
    try {
        reader in(message);
        std::map<std::uint64_t, std::uint64_t> out;
        for (auto n = in.var_uint(); n > 0; --n) {
            const auto client = in.var_uint();
            out[client] = in.var_uint();
        }
        if (!in.done()) return std::nullopt;
        return out;
    } catch (const malformed&) {
        return std::nullopt;
    }
}

std::optional<std::vector<awareness_entry>> parse_awareness(byte_view message) {
    try {
        reader in(message);
        std::vector<awareness_entry> out;
        for (auto n = in.var_uint(); n > 0; --n) {
            awareness_entry e;
            e.client = in.var_uint();
            e.clock = in.var_uint();
            e.state = in.var_string();
            out.push_back(std::move(e));
        }
        if (!in.done()) return std::nullopt;
        return out;
    } catch (const malformed&) {
        return std::nullopt;
    }
}

bytes encode_awareness(const std::vector<awareness_entry>& entries) {
    bytes out;
    write_var_uint(out, entries.size());
    for (const auto& e : entries) {
        write_var_uint(out, e.client);
        write_var_uint(out, e.clock);
        write_var_string(out, e.state);
    }
    return out;
}

}  // namespace switchboard::plugins::collab
