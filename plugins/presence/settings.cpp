#include "settings.hpp"

namespace switchboard::plugins::presence {

settings read_settings(const json& config) {
    settings out;
    out.max_user_ids = config.at("max_user_ids").get<std::size_t>();
    out.max_subscriptions = config.at("max_subscriptions").get<std::size_t>();
    out.count_interval = std::chrono::milliseconds(config.at("count_interval_ms").get<std::int64_t>());
    return out;
}

}  // namespace switchboard::plugins::presence
