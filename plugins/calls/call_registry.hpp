// Every call in progress and who is where in it: the state machine of call signaling
// (ringing -> joined | declined | missed, joined -> left) with no I/O. Each operation
// answers with what has to be said to whom (`effects`), emitted by the caller after
// the registry's lock is released; so the rules are tested without a server.
// Thread-safe: the handlers run inline on every worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <switchboard/sdk.hpp>

namespace switchboard::plugins::calls {

using sdk::json;
using socket_id = std::uint64_t;

// One message to send: to one socket, or to every device of a user but one socket.
struct message {
    enum class to { socket, user } kind = to::socket;
    socket_id socket = 0;          // to::socket: the target; to::user: the device skipped
    std::string user;
    std::string event;
    json payload;
};

struct effects {
    std::vector<message> messages;
    std::vector<json> missed;      // notifications:send payloads (missed calls)
    // Users who came into a call (true) or left theirs (false): the other nodes of a
    // cluster count them busy (see set_busy_elsewhere).
    std::vector<std::pair<std::string, bool>> engaged;
};

struct invite_request {
    std::vector<std::string> invitees;   // distinct, without the caller
    std::string media = "audio";
    json metadata = json::object();
};

class call_registry {
public:
    using clock = std::chrono::steady_clock;

    explicit call_registry(std::chrono::milliseconds ring_timeout) : ring_timeout_(ring_timeout) {}

    // Each returns the ack's result and fills `out`; refusals throw sdk::error.
    json invite(const std::string& caller, socket_id socket, const invite_request& request, const std::string& call_id,
                clock::time_point now, effects& out);
    json accept(const std::string& user, socket_id socket, const std::string& call_id, effects& out);
    json reject(const std::string& user, socket_id socket, const std::string& call_id, const std::string& reason,
                effects& out);
    // The caller stops the ringing of everyone who has not answered.
    json cancel(const std::string& user, socket_id socket, const std::string& call_id, effects& out);
    json hangup(const std::string& user, socket_id socket, const std::string& call_id, effects& out);
    // The socket is gone: it leaves the call it was in.
    void disconnected(socket_id socket, effects& out);
    // Invitees still ringing after the ring timeout missed the call; what other nodes
    // said of their users and did not say again in time is forgotten.
    void expire(clock::time_point now, effects& out);

    // The socket of `to` in the call, when both it and `from_socket` (of `from`) are
    // in it: signaling flows only between members. Throws sdk::error otherwise.
    socket_id signal_route(const std::string& from, socket_id from_socket, const std::string& call_id,
                           const std::string& to) const;
    // Whether `socket` is in the call (for ICE server refreshes).
    bool is_member(socket_id socket, const std::string& call_id) const;

    std::size_t active_calls() const;

    // ---- several nodes: users in the calls of other nodes are busy here too
    // `node` says `user` came into one of its calls, or left it. What it says holds
    // until `until`, unless said again: a node that dies stops saying it.
    void set_busy_elsewhere(const std::string& user, const std::string& node, bool busy, clock::time_point until);
    // `node`'s periodic word: exactly `users` are in its calls.
    void set_engaged_on(const std::string& node, const std::vector<std::string>& users, clock::time_point until);
    // Who is in this node's calls (what it says periodically).
    std::vector<std::string> engaged_users() const;

private:
    enum class state { ringing, joined, declined, missed, left, busy };
    struct participant {
        std::string user;
        state status = state::ringing;
        socket_id socket = 0;
    };
    struct call {
        std::string id;
        std::string caller;
        std::string media;
        json metadata;
        std::vector<participant> people;   // the caller first
        clock::time_point ring_deadline;
        bool answered = false;
    };

    call& find(const std::string& call_id);
    participant* person(call& c, const std::string& user);
    json describe(const call& c) const;
    void tell_members(const call& c, socket_id except, const std::string& event, const json& payload, effects& out) const;
    void stop_ringing(call& c, participant& p, state next, const std::string& reason, effects& out);
    void leave(call& c, participant& p, const std::string& reason, effects& out);
    // Ends the call when nobody is left to talk to; returns whether it did.
    bool settle(const std::string& call_id, const std::string& reason, effects& out);

    const std::chrono::milliseconds ring_timeout_;
    mutable std::mutex mutex_;
    std::map<std::string, call> calls_;
    std::map<std::string, std::string> user_call_;     // joined users -> their call
    std::map<socket_id, std::string> socket_call_;     // joined sockets -> their call
    // (user, node) -> until when that node's word holds.
    std::map<std::pair<std::string, std::string>, clock::time_point> busy_elsewhere_;

    bool in_a_call(const std::string& user) const {
        const auto elsewhere = busy_elsewhere_.lower_bound({user, std::string()});
        return user_call_.contains(user) || (elsewhere != busy_elsewhere_.end() && elsewhere->first.first == user);
    }
    void engage(const std::string& user, socket_id socket, const std::string& call_id, effects& out);
    void release(const std::string& user, socket_id socket, effects& out);
};

}  // namespace switchboard::plugins::calls
