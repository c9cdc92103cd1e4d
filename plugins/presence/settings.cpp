#include "settings.hpp"

#include <stdexcept>
#include <string>

namespace switchboard::plugins::presence {

namespace {

std::int64_t bounded(const json& config, const char* key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    const auto found = config.find(key);
    if (found == config.end()) return fallback;
    if (!found->is_number_integer())
        throw std::invalid_argument(std::string("presence.") + key + " must be an integer");
    const auto value = found->get<std::int64_t>();
    if (value < min || value > max)
        throw std::invalid_argument(std::string("presence.") + key + " must be between " + std::to_string(min) +
                                    " and " + std::to_string(max) + ", got " + std::to_string(value));
    return value;
}

}  // namespace

settings read_settings(const json& config) {
    settings out;
    out.max_user_ids = static_cast<std::size_t>(bounded(config, "max_user_ids", 100, 1, 10'000));
    out.max_subscriptions = static_cast<std::size_t>(bounded(config, "max_subscriptions", 1000, 1, 100'000));
    out.count_interval = std::chrono::milliseconds(bounded(config, "count_interval_ms", 1000, 50, 3'600'000));
    return out;
}

}  // namespace switchboard::plugins::presence
