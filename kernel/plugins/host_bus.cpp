#include "kernel/plugins/plugin_host.hpp"

#include "kernel/plugins/sdk_strings.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;

void plugin_host::notify_presence(const std::string& user_id, bool online) {
    if (registry_.presence_hooks().empty()) return;
    // One user's transitions run in the order they happened: a quick connect and
    // disconnect must not reach a plugin as offline, then online.
    const auto& strand = presence_strands_[std::hash<std::string>{}(user_id) % presence_strands_.size()];
    for (const auto& h : registry_.presence_hooks())
        pool_->post([h, user_id, online] { h.fn(h.user_data, view(user_id), online ? 1 : 0); }, strand);
}

void plugin_host::publish(const std::string& topic, std::string payload_json) {
    deliver_to_subscribers(topic, std::move(payload_json), nullptr);
}

void plugin_host::publish_in_order(const std::string& topic, std::string payload_json) {
    const auto& strand = ordered_topic_strands_[std::hash<std::string>{}(topic) % ordered_topic_strands_.size()];
    deliver_to_subscribers(topic, std::move(payload_json), strand);
}

void plugin_host::deliver_to_subscribers(const std::string& topic, std::string payload_json,
                                         const std::shared_ptr<handler_pool::strand>& strand) {
    const auto* subscribers = registry_.subscribers_of(topic);
    if (!subscribers) return;
    auto payload = std::make_shared<const std::string>(std::move(payload_json));
    auto shared_topic = std::make_shared<const std::string>(topic);
    for (const auto& subscriber : *subscribers)
        pool_->post([subscriber, payload, shared_topic] {
            subscriber.fn(subscriber.user_data, view(*shared_topic), view(*payload));
        }, strand);
}

}  // namespace switchboard::kernel::plugins
