#include "ranking.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "context.hpp"
#include "payload.hpp"

namespace switchboard::plugins::blog {

namespace {

// How many of the most liked recent posts decay mode scores: a post outside them
// would need more likes than the least of them to rank, and then it is among them.
constexpr std::size_t decay_candidates = 1000;

}  // namespace

std::string personal_ranking_room(const std::string& user) { return std::string(ranking_room) + ":user:" + user; }

json ranking_board::current(const std::string& viewer) {
    const std::int64_t now = unix_ms();
    json posts = json::array();
    if (config_.ranking == ranking_mode::likes) {
        posts = store_.most_liked(config_.ranking_size, 0, viewer);
        for (auto& post : posts) post["score"] = post["likes"].get<double>();
    } else {
        const auto max_age = std::chrono::duration_cast<std::chrono::milliseconds>(config_.ranking_max_age).count();
        const double half_life =
            static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(config_.ranking_half_life).count());
        posts = store_.most_liked(decay_candidates, now - max_age, viewer);
        for (auto& post : posts) {
            const double age = static_cast<double>(std::max<std::int64_t>(0, now - post["createdAt"].get<std::int64_t>()));
            post["score"] = post["likes"].get<double>() * std::pow(0.5, age / half_life);
        }
        std::stable_sort(posts.begin(), posts.end(),
                         [](const json& a, const json& b) { return a["score"].get<double>() > b["score"].get<double>(); });
        if (posts.size() > config_.ranking_size) posts.erase(posts.begin() + static_cast<std::ptrdiff_t>(config_.ranking_size), posts.end());
    }
    json ranked = json::array();
    std::int64_t rank = 0;
    for (auto& post : posts)
        ranked.push_back({{"rank", ++rank},
                          {"id", post["id"]},
                          {"title", post["title"]},
                          {"author", post["author"]},
                          {"likes", post["likes"]},
                          {"score", post["score"]},
                          {"createdAt", post["createdAt"]}});
    return {{"mode", config_.ranking == ranking_mode::likes ? "likes" : "decay"}, {"posts", std::move(ranked)}};
}

std::string ranking_board::key_of(const json& ranking) {
    std::string key;
    for (const auto& post : ranking.at("posts"))
        key += std::to_string(post.at("id").get<std::int64_t>()) + ":" +
               std::to_string(post.at("likes").get<std::int64_t>()) + ",";
    return key;
}

void ranking_board::start() {
    plugin_.start_timer(config_.ranking_interval, config_.ranking_interval, [this] { tick(); });
}

void ranking_board::tick() {
    // Decay reorders posts with time alone: look every interval. Likes only move it
    // when something changed.
    const bool dirty = dirty_.exchange(false, std::memory_order_relaxed);
    if (!dirty && config_.ranking == ranking_mode::likes) return;
    std::lock_guard lock(mutex_);
    json ranking;
    try {
        ranking = current();
    } catch (const std::exception& failure) {
        dirty_.store(true, std::memory_order_relaxed);   // try again next interval
        plugin_.log_warn(std::string("ranking not computed: ") + failure.what());
        return;
    }
    std::string key = key_of(ranking);
    // The first computation only learns where things stand: nobody was told anything.
    if (known_ && key == last_key_) return;
    const bool first = !known_;
    known_ = true;
    last_key_ = std::move(key);
    if (first && ranking.at("posts").empty()) return;
    plugin_.count("ranking_pushes");
    std::set<std::string> separated;
    for (const auto& post : ranking.at("posts"))
        for (auto& user : store_.hidden_with(post.at("author").get<std::string>())) separated.insert(std::move(user));
    sdk::target to = sdk::target::to_room(config_.nsp, rooms_.here(ranking_room));
    for (const auto& user : separated) to.except("user:" + user);
    plugin_.emit(to, "blog:ranking", json::array({std::move(ranking)}));
    for (const auto& user : separated) {
        try {
            plugin_.emit(sdk::target::to_room(config_.nsp, rooms_.here(personal_ranking_room(user))), "blog:ranking",
                         json::array({current(user)}));
        } catch (const std::exception& failure) {
            plugin_.log_warn(std::string("ranking not computed for a user: ") + failure.what());
        }
    }
}

namespace {

json on_ranking(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    payload_of(e.args, true);
    return ctx.ranking.current(user);
}

json on_watch_ranking(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    payload_of(e.args, true);
    // Join before reading: a change after the read is pushed, one before is answered.
    ctx.p.join(e.socket, ctx.here(ranking_room));
    ctx.p.join(e.socket, ctx.here(personal_ranking_room(user)));
    return ctx.ranking.current(user);
}

json on_unwatch_ranking(blog_context& ctx, sdk::event& e) {
    const std::string user = e.require_user();
    payload_of(e.args, true);
    ctx.p.leave(e.socket, ctx.here(ranking_room));
    ctx.p.leave(e.socket, ctx.here(personal_ranking_room(user)));
    return json::object();
}

}  // namespace

void register_ranking_events(blog_context& ctx) {
    const auto bind = [&ctx](json (*fn)(blog_context&, sdk::event&)) {
        return [&ctx, fn](sdk::event& e) { return fn(ctx, e); };
    };
    ctx.p.serve(ctx.config.nsp, "blog:ranking", bind(on_ranking));
    ctx.p.serve(ctx.config.nsp, "blog:watch_ranking", bind(on_watch_ranking));
    ctx.p.serve(ctx.config.nsp, "blog:unwatch_ranking", bind(on_unwatch_ranking));
}

}  // namespace switchboard::plugins::blog
