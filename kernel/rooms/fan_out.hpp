// Who one broadcast reaches on one worker: the members of the named rooms (every member
// when no room is named), minus the members of the excepted rooms and one excepted
// member (the sender), each member once however many of its rooms are named. A room name
// may also be a member's own id: every socket is in the room of its id, without an entry
// in the index for it.
//
// The dedupe is a mark on the member, not a set per broadcast: one compare per visit and
// no allocation, which matters at tens of thousands of recipients. `Member` has a
// `std::uint64_t broadcast_mark` that only this code touches; `epoch` is new for every
// broadcast on this worker (a counter), so marks left by earlier ones never match.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernel/rooms/room_index.hpp"

namespace switchboard::kernel::rooms {

template <class Member>
struct fan_out_target {
    const std::vector<std::string>& rooms;    // empty: every member
    const std::vector<std::string>& except;   // members of these rooms are skipped
    Member* except_member = nullptr;          // skipped too (the sender); may be null
};

// `by_id`: the members by id (a map of id -> Member*), for "every member" and for rooms
// that are an id. `visit(Member*)` may not join, leave or remove members: collect first
// when it must.
template <class Member, class ById, class Visit>
void for_each_recipient(const room_index<Member>& index, const ById& by_id, std::uint64_t epoch,
                        const fan_out_target<Member>& target, Visit&& visit) {
    auto for_room = [&](const std::string& room, auto&& each) {
        if (const auto* members = index.find(room))
            for (Member* m : *members) each(m);
        if (const auto found = by_id.find(room); found != by_id.end()) each(found->second);
    };
    // One room that is nobody's id and nothing excepted but the sender: every member
    // once already, with no mark to write on each (at ten thousand members that is a
    // cache line per member the walk need not touch).
    if (target.rooms.size() == 1 && target.except.empty() && by_id.find(target.rooms.front()) == by_id.end()) {
        if (const auto* members = index.find(target.rooms.front()))
            for (Member* m : *members)
                if (m != target.except_member) visit(m);
        return;
    }
    for (const auto& room : target.except) for_room(room, [epoch](Member* m) { m->broadcast_mark = epoch; });
    if (target.except_member) target.except_member->broadcast_mark = epoch;
    auto once = [&](Member* m) {
        if (m->broadcast_mark == epoch) return;
        m->broadcast_mark = epoch;
        visit(m);
    };
    if (target.rooms.empty()) {
        for (const auto& [id, m] : by_id) once(m);
    } else {
        for (const auto& room : target.rooms) for_room(room, once);
    }
}

}  // namespace switchboard::kernel::rooms
