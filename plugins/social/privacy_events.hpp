// Privacy and blocks: social:privacy, social:block, social:unblock, social:blocks,
// and social:profile (counts and the relation between the caller and a user).
#pragma once

#include "context.hpp"

namespace switchboard::plugins::social {

void register_privacy_events(social_context& ctx);

}  // namespace switchboard::plugins::social
