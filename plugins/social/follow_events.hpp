// Follows: social:follow, social:unfollow, social:approve, social:decline, and the
// lists (social:followers, social:following, social:follow_requests).
#pragma once

#include "context.hpp"

namespace switchboard::plugins::social {

void register_follow_events(social_context& ctx);

}  // namespace switchboard::plugins::social
