#include "kernel/plugins/plugin_registry.hpp"

namespace switchboard::kernel::plugins {

namespace {
template <class T>
void append(std::vector<T>& to, std::vector<T>&& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    from.clear();
}
}  // namespace

void plugin_registry::add_event_handler(std::string nsp, std::string event, event_handler handler) {
    if (!handler.metrics)
        handler.metrics = std::make_shared<handler_metrics>(handler.plugin ? handler.plugin->name : std::string(), nsp,
                                                            event, handler.is_inline);
    events_[std::move(nsp)][std::move(event)].push_back(std::move(handler));
}

bool plugin_registry::add_route(std::string method, std::string path, http_route route) {
    return routes_.emplace(std::make_pair(std::move(method), std::move(path)), route).second;
}

void plugin_registry::commit(plugin_registry&& staged) {
    for (auto& [nsp, by_event] : staged.events_)
        for (auto& [event, handlers] : by_event) append(events_[nsp][event], std::move(handlers));
    append(connect_hooks_, std::move(staged.connect_hooks_));
    append(disconnect_hooks_, std::move(staged.disconnect_hooks_));
    append(connected_hooks_, std::move(staged.connected_hooks_));
    append(join_hooks_, std::move(staged.join_hooks_));
    append(auth_hooks_, std::move(staged.auth_hooks_));
    append(presence_hooks_, std::move(staged.presence_hooks_));
    for (auto& [topic, subscribers] : staged.subscribers_) append(subscribers_[topic], std::move(subscribers));
    routes_.merge(staged.routes_);
    staged.clear();
}

void plugin_registry::clear() {
    events_.clear();
    connect_hooks_.clear();
    disconnect_hooks_.clear();
    connected_hooks_.clear();
    join_hooks_.clear();
    auth_hooks_.clear();
    presence_hooks_.clear();
    subscribers_.clear();
    routes_.clear();
}

std::size_t plugin_registry::size() const noexcept {
    std::size_t total = all_handlers().size() + connect_hooks_.size() + disconnect_hooks_.size() +
                        connected_hooks_.size() + join_hooks_.size() + auth_hooks_.size() + presence_hooks_.size() +
                        routes_.size();
    for (const auto& [topic, subscribers] : subscribers_) total += subscribers.size();
    return total;
}

std::vector<const event_handler*> plugin_registry::handlers_for(std::string_view nsp, std::string_view event) const {
    std::vector<const event_handler*> out;
    auto collect = [&](std::string_view name) {
        for (const std::string_view in : {nsp, std::string_view("*")}) {
            const auto by_nsp = events_.find(in);
            if (by_nsp == events_.end()) continue;
            const auto by_event = by_nsp->second.find(name);
            if (by_event == by_nsp->second.end()) continue;
            for (const auto& h : by_event->second) out.push_back(&h);
        }
    };
    collect(event);
    // "*" handlers catch what no handler names.
    if (out.empty()) collect("*");
    return out;
}

std::vector<const event_handler*> plugin_registry::all_handlers() const {
    std::vector<const event_handler*> out;
    for (const auto& [nsp, by_event] : events_)
        for (const auto& [event, handlers] : by_event)
            for (const auto& h : handlers) out.push_back(&h);
    return out;
}

namespace {
template <class Hooks>
bool any_for(const Hooks& hooks, std::string_view nsp) {
    for (const auto& h : hooks)
        if (nsp_matches(h.nsp, nsp)) return true;
    return false;
}
}  // namespace

bool plugin_registry::has_connect_hook_for(std::string_view nsp) const { return any_for(connect_hooks_, nsp); }
bool plugin_registry::has_connected_hook_for(std::string_view nsp) const { return any_for(connected_hooks_, nsp); }

const std::vector<bus_subscriber>* plugin_registry::subscribers_of(std::string_view topic) const {
    const auto found = subscribers_.find(topic);
    return found == subscribers_.end() ? nullptr : &found->second;
}

}  // namespace switchboard::kernel::plugins
