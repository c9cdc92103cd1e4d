// What the scripts declared while they loaded: handlers, hooks, routes, topics and
// timers. Every Lua state of a generation loads the same scripts, so every state
// declares the same catalog; `index` is where each function sits in the state's
// handler table, the same in every state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::plugins::lua {

struct declared {
    int index = 0;       // in the state's handler table
    std::string where;   // "file.lua:12", for messages
};

struct event_declaration : declared {
    std::string nsp;     // "*": every namespace
    std::string name;
    bool is_inline = false;
};

struct hook_declaration : declared {
    std::string nsp;     // "*": every namespace
    bool is_inline = false;
};

struct route_declaration : declared {
    std::string method;
    std::string path;
};

struct topic_declaration : declared {
    std::string topic;
};

struct timer_declaration : declared {
    std::uint64_t delay_ms = 0;
    std::uint64_t interval_ms = 0;   // 0: once
};

struct catalog {
    std::vector<event_declaration> events;
    std::vector<hook_declaration> connect, disconnect, join, auth;
    std::vector<declared> presence;
    std::vector<topic_declaration> topics;
    std::vector<route_declaration> routes;
    std::vector<timer_declaration> timers;
    int functions = 0;   // entries in the handler table

    // The handler for `name` in `nsp`: the namespace's own first, then a "*" one.
    const event_declaration* find_event(std::string_view nsp, std::string_view name) const {
        if (const auto* exact = find_exact(nsp, name)) return exact;
        return find_exact("*", name);
    }
    const event_declaration* find_exact(std::string_view nsp, std::string_view name) const {
        const auto by_name = by_event_.find(name);
        if (by_name == by_event_.end()) return nullptr;
        const auto by_nsp = by_name->second.find(nsp);
        return by_nsp == by_name->second.end() ? nullptr : &events[by_nsp->second];
    }
    void add_event(event_declaration e) {
        by_event_[e.name][e.nsp] = events.size();
        events.push_back(std::move(e));
    }

    // Same declarations in the same order: what each state of a generation must load.
    bool same_shape(const catalog& other) const { return signature() == other.signature(); }

    std::string signature() const {
        std::string out;
        auto add = [&out](const declared& d, std::string_view detail) {
            out += std::to_string(d.index);
            out += ':';
            out += detail;
            out += ';';
        };
        for (const auto& e : events) add(e, e.nsp + " " + e.name + (e.is_inline ? " inline" : ""));
        for (const auto* hooks : {&connect, &disconnect, &join, &auth})
            for (const auto& h : *hooks) add(h, h.nsp + (h.is_inline ? " inline" : ""));
        for (const auto& p : presence) add(p, "presence");
        for (const auto& t : topics) add(t, "topic " + t.topic);
        for (const auto& r : routes) add(r, "route " + r.method + " " + r.path);
        for (const auto& t : timers) add(t, "timer " + std::to_string(t.delay_ms) + "/" + std::to_string(t.interval_ms));
        return out;
    }

private:
    // name -> namespace pattern -> position in `events`
    std::map<std::string, std::map<std::string, std::size_t, std::less<>>, std::less<>> by_event_;
};

}  // namespace switchboard::plugins::lua
