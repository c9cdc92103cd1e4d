// What the blog takes from the bus: posts from the backend (`blog:create`, which the
// server API's POST /api/publish, other plugins and Lua scripts reach), and blocks
// from the social plugin (`social:blocked`, `social:unblocked`).
#pragma once

#include "context.hpp"

namespace switchboard::plugins::blog {

void register_backend_bus(blog_context& ctx);

}  // namespace switchboard::plugins::blog
