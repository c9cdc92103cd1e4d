// What readers do to a post: blog:like, and comments (blog:comment,
// blog:comment_edit, blog:comment_delete, blog:comments).
#pragma once

#include "context.hpp"

namespace switchboard::plugins::blog {

void register_reaction_events(blog_context& ctx);

}  // namespace switchboard::plugins::blog
