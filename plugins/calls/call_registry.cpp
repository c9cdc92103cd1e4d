#include "call_registry.hpp"

#include <algorithm>

namespace switchboard::plugins::calls {

namespace {

const char* name_of(int s) {
    static const char* const names[] = {"ringing", "joined", "declined", "missed", "left", "busy"};
    return names[s];
}

message to_socket(socket_id socket, std::string event, json payload) {
    return {message::to::socket, socket, {}, std::move(event), std::move(payload)};
}

message to_user(std::string user, socket_id except, std::string event, json payload) {
    return {message::to::user, except, std::move(user), std::move(event), std::move(payload)};
}

}  // namespace

call_registry::call& call_registry::find(const std::string& call_id) {
    const auto it = calls_.find(call_id);
    if (it == calls_.end()) throw sdk::error("not_found", "no such call (it may have ended)");
    return it->second;
}

call_registry::participant* call_registry::person(call& c, const std::string& user) {
    const auto it = std::find_if(c.people.begin(), c.people.end(), [&](const participant& p) { return p.user == user; });
    return it == c.people.end() ? nullptr : &*it;
}

json call_registry::describe(const call& c) const {
    json people = json::array();
    for (const auto& p : c.people) people.push_back({{"user", p.user}, {"state", name_of(static_cast<int>(p.status))}});
    return {{"callId", c.id}, {"caller", c.caller}, {"media", c.media}, {"metadata", c.metadata},
            {"participants", std::move(people)}};
}

void call_registry::tell_members(const call& c, socket_id except, const std::string& event, const json& payload,
                                 effects& out) const {
    for (const auto& p : c.people)
        if (p.status == state::joined && p.socket != except) out.messages.push_back(to_socket(p.socket, event, payload));
}

json call_registry::invite(const std::string& caller, socket_id socket, const invite_request& request,
                           const std::string& call_id, clock::time_point now, effects& out) {
    std::lock_guard lock(mutex_);
    if (in_a_call(caller) || socket_call_.contains(socket))
        throw sdk::error("busy", "you are already in a call: hang up first");
    call c{call_id, caller, request.media, request.metadata, {}, now + ring_timeout_, false};
    c.people.push_back({caller, state::joined, socket});
    std::vector<std::string> busy;
    for (const auto& user : request.invitees) {
        const bool busy_now = in_a_call(user);
        c.people.push_back({user, busy_now ? state::busy : state::ringing, 0});
        if (busy_now) busy.push_back(user);
    }
    if (busy.size() == request.invitees.size()) {
        std::string who;
        for (const auto& user : busy) who += (who.empty() ? "" : ", ") + user;
        throw sdk::error("busy", who + (busy.size() == 1 ? " is" : " are") + " already in a call");
    }
    json incoming = describe(c);
    incoming["from"] = caller;
    for (const auto& p : c.people)
        if (p.status == state::ringing) out.messages.push_back(to_user(p.user, 0, "call:incoming", incoming));
    engage(caller, socket, call_id, out);
    auto [it, inserted] = calls_.emplace(call_id, std::move(c));
    return describe(it->second);
}

json call_registry::accept(const std::string& user, socket_id socket, const std::string& call_id, effects& out) {
    std::lock_guard lock(mutex_);
    call& c = find(call_id);
    participant* p = person(c, user);
    if (!p || user == c.caller) throw sdk::error("not_found", "no such call (it may have ended)");
    if (p->status == state::joined) {
        if (p->socket == socket) return describe(c);
        throw sdk::error("conflict", "the call was answered on another device");
    }
    if (p->status != state::ringing) throw sdk::error("not_ringing", "this call is no longer ringing for you");
    if (in_a_call(user) || socket_call_.contains(socket))
        throw sdk::error("busy", "you are already in another call: hang up first");
    p->status = state::joined;
    p->socket = socket;
    c.answered = true;
    engage(user, socket, call_id, out);
    // The user's other devices stop ringing; the members learn who came in.
    out.messages.push_back(to_user(user, socket, "call:answered_elsewhere", {{"callId", call_id}}));
    tell_members(c, socket, "call:accepted", {{"callId", call_id}, {"user", user}}, out);
    return describe(c);
}

void call_registry::stop_ringing(call& c, participant& p, state next, const std::string& reason, effects& out) {
    p.status = next;
    out.messages.push_back(to_user(p.user, 0, "call:cancelled", {{"callId", c.id}, {"reason", reason}}));
}

json call_registry::reject(const std::string& user, socket_id socket, const std::string& call_id,
                           const std::string& reason, effects& out) {
    std::lock_guard lock(mutex_);
    call& c = find(call_id);
    participant* p = person(c, user);
    if (!p || user == c.caller) throw sdk::error("not_found", "no such call (it may have ended)");
    if (p->status != state::ringing) throw sdk::error("not_ringing", "this call is no longer ringing for you");
    p->status = state::declined;
    out.messages.push_back(to_user(user, socket, "call:cancelled", {{"callId", call_id}, {"reason", "rejected"}}));
    tell_members(c, 0, "call:rejected", {{"callId", call_id}, {"user", user}, {"reason", reason}}, out);
    settle(call_id, "rejected", out);
    return {{"callId", call_id}};
}

json call_registry::cancel(const std::string& user, socket_id socket, const std::string& call_id, effects& out) {
    std::lock_guard lock(mutex_);
    call& c = find(call_id);
    participant* caller = person(c, user);
    if (user != c.caller || caller->socket != socket)
        throw sdk::error("forbidden", "only the caller's device that placed the call may cancel it");
    json cancelled = json::array();
    for (auto& p : c.people)
        if (p.status == state::ringing) {
            stop_ringing(c, p, state::declined, "cancelled", out);
            cancelled.push_back(p.user);
        }
    settle(call_id, "cancelled", out);
    return {{"callId", call_id}, {"cancelled", std::move(cancelled)}};
}

void call_registry::engage(const std::string& user, socket_id socket, const std::string& call_id, effects& out) {
    user_call_[user] = call_id;
    socket_call_[socket] = call_id;
    out.engaged.emplace_back(user, true);
}

void call_registry::release(const std::string& user, socket_id socket, effects& out) {
    user_call_.erase(user);
    socket_call_.erase(socket);
    out.engaged.emplace_back(user, false);
}

void call_registry::leave(call& c, participant& p, const std::string& reason, effects& out) {
    release(p.user, p.socket, out);
    p.status = state::left;
    tell_members(c, p.socket, "call:left", {{"callId", c.id}, {"user", p.user}, {"reason", reason}}, out);
    p.socket = 0;
}

json call_registry::hangup(const std::string& user, socket_id socket, const std::string& call_id, effects& out) {
    std::lock_guard lock(mutex_);
    call& c = find(call_id);
    participant* p = person(c, user);
    if (!p || p->status != state::joined || p->socket != socket)
        throw sdk::error("forbidden", "this device is not in the call");
    leave(c, *p, "hangup", out);
    settle(call_id, "hangup", out);
    return {{"callId", call_id}};
}

void call_registry::disconnected(socket_id socket, effects& out) {
    std::lock_guard lock(mutex_);
    const auto it = socket_call_.find(socket);
    if (it == socket_call_.end()) return;
    const std::string call_id = it->second;
    call& c = find(call_id);
    for (auto& p : c.people)
        if (p.status == state::joined && p.socket == socket) leave(c, p, "disconnected", out);
    settle(call_id, "disconnected", out);
}

void call_registry::expire(clock::time_point now, effects& out) {
    std::lock_guard lock(mutex_);
    std::erase_if(busy_elsewhere_, [&](const auto& item) { return item.second <= now; });
    std::vector<std::string> due;
    for (const auto& [id, c] : calls_)
        if (c.ring_deadline <= now) due.push_back(id);
    for (const auto& id : due) {
        call& c = calls_.at(id);
        bool changed = false;
        for (auto& p : c.people) {
            if (p.status != state::ringing) continue;
            stop_ringing(c, p, state::missed, "timeout", out);
            tell_members(c, 0, "call:missed", {{"callId", id}, {"user", p.user}}, out);
            out.missed.push_back({{"userId", p.user},
                                  {"type", "call.missed"},
                                  {"title", "Missed " + c.media + " call from " + c.caller},
                                  {"message", ""},
                                  {"data", {{"callId", id}, {"from", c.caller}, {"media", c.media}}}});
            changed = true;
        }
        if (changed) settle(id, "timeout", out);
    }
}

bool call_registry::settle(const std::string& call_id, const std::string& reason, effects& out) {
    call& c = calls_.at(call_id);
    const auto count = [&](state s) {
        return std::count_if(c.people.begin(), c.people.end(), [&](const participant& p) { return p.status == s; });
    };
    const auto joined = count(state::joined);
    const auto ringing = count(state::ringing);
    // Nobody left to talk to: no member at all, or one alone with nobody ringing.
    if (joined > 0 && (ringing > 0 || joined >= 2)) return false;
    for (auto& p : c.people) {
        if (p.status == state::ringing) stop_ringing(c, p, state::declined, c.answered ? "ended" : "cancelled", out);
        if (p.status != state::joined) continue;
        out.messages.push_back(to_socket(p.socket, "call:ended", {{"callId", call_id}, {"reason", reason}}));
        release(p.user, p.socket, out);
    }
    calls_.erase(call_id);
    return true;
}

socket_id call_registry::signal_route(const std::string& from, socket_id from_socket, const std::string& call_id,
                                      const std::string& to) const {
    std::lock_guard lock(mutex_);
    const auto it = calls_.find(call_id);
    if (it == calls_.end()) throw sdk::error("not_found", "no such call (it may have ended)");
    const auto& people = it->second.people;
    const auto joined = [&](const std::string& user) {
        return std::find_if(people.begin(), people.end(), [&](const participant& p) {
            return p.user == user && p.status == state::joined;
        });
    };
    const auto sender = joined(from);
    if (sender == people.end() || sender->socket != from_socket)
        throw sdk::error("forbidden", "this device is not in the call");
    const auto target = joined(to);
    if (target == people.end() || to == from) throw sdk::error("not_found", to + " is not in the call");
    return target->socket;
}

bool call_registry::is_member(socket_id socket, const std::string& call_id) const {
    std::lock_guard lock(mutex_);
    const auto it = socket_call_.find(socket);
    return it != socket_call_.end() && it->second == call_id;
}

void call_registry::set_busy_elsewhere(const std::string& user, const std::string& node, bool busy,
                                       clock::time_point until) {
    std::lock_guard lock(mutex_);
    if (busy) busy_elsewhere_[{user, node}] = until;
    else busy_elsewhere_.erase({user, node});
}

void call_registry::set_engaged_on(const std::string& node, const std::vector<std::string>& users,
                                   clock::time_point until) {
    std::lock_guard lock(mutex_);
    std::erase_if(busy_elsewhere_, [&](const auto& item) { return item.first.second == node; });
    for (const auto& user : users) busy_elsewhere_[{user, node}] = until;
}

std::vector<std::string> call_registry::engaged_users() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [user, call_id] : user_call_) out.push_back(user);
    return out;
}

std::size_t call_registry::active_calls() const {
    std::lock_guard lock(mutex_);
    return calls_.size();
}

}  // namespace switchboard::plugins::calls
