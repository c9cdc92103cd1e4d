// The loader stages a plugin's registrations while its on_load runs and commits them
// only when it succeeds: a failed load leaves no handler, hook, subscriber, route or
// timer behind, and every registration's user_data is released.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "in_process_plugin.hpp"

namespace switchboard::kernel::plugins::testing {
namespace {

switchboard_str_t str(std::string_view s) { return {s.data(), s.size()}; }

void on_event(void*, const switchboard_event_t*) {}
void on_connect(void*, const switchboard_socket_info_t*, switchboard_result_t*) {}
void on_bus(void*, switchboard_str_t, switchboard_str_t) {}
void on_http(void*, const switchboard_http_request_t*, switchboard_result_t*) {}
void on_timer(void*, switchboard_timer_t) {}

// Registers one of each kind, each with its own tag; returns how many.
int register_everything(in_process_plugin& plugin, tag (&tags)[5], switchboard_plugin_t* self,
                        const switchboard_host_t* host) {
    for (int i = 0; i < 5; ++i) tags[i] = {&plugin, i};
    EXPECT_EQ(host->host_set_release(self, &record_release), SWITCHBOARD_OK);
    EXPECT_EQ(host->host_on_event(self, str("/"), str("message"), 0, &on_event, &tags[0]), SWITCHBOARD_OK);
    EXPECT_EQ(host->host_on_connect(self, str("/"), 0, &on_connect, &tags[1]), SWITCHBOARD_OK);
    EXPECT_EQ(host->host_subscribe(self, str("topic"), &on_bus, &tags[2]), SWITCHBOARD_OK);
    EXPECT_EQ(host->host_http_route(self, str("GET"), str("/things"), &on_http, &tags[3]), SWITCHBOARD_OK);
    switchboard_timer_t timer = 0;
    EXPECT_EQ(host->host_timer_start(self, 3'600'000, 0, 0, &on_timer, &tags[4], &timer), SWITCHBOARD_OK);
    EXPECT_NE(timer, 0u);
    return 5;
}

TEST(PluginLoader, AFailedOnLoadLeavesNothingAndReleasesItsRegistrations) {
    host_under_test h;
    tag tags[5];
    in_process_plugin plugin{"failing"};
    plugin.on_load = [&](switchboard_plugin_t* self, const switchboard_host_t* host) {
        register_everything(plugin, tags, self, host);
        // Staged, not yet in the registry that serves.
        EXPECT_EQ(h.host().registry().size(), 0u);
        return SWITCHBOARD_ERROR;
    };
    EXPECT_THROW(h.load(plugin), std::runtime_error);
    EXPECT_EQ(h.host().registry().size(), 0u);
    EXPECT_EQ(h.host().timers().running(), 0u);
    EXPECT_EQ(h.host().loaded_count(), 0u);
    ASSERT_EQ(plugin.released.size(), 5u);
    for (auto& t : tags) EXPECT_EQ(std::count(plugin.released.begin(), plugin.released.end(), &t), 1) << t.id;
}

TEST(PluginLoader, AThrowingOnLoadIsContainedLikeAFailedOne) {
    host_under_test h;
    tag tags[5];
    in_process_plugin plugin{"throwing"};
    plugin.on_load = [&](switchboard_plugin_t* self, const switchboard_host_t* host) -> switchboard_status_t {
        register_everything(plugin, tags, self, host);
        throw std::logic_error("broken on purpose");
    };
    try {
        h.load(plugin);
        FAIL() << "the load succeeded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("its on_load threw: broken on purpose"), std::string::npos) << e.what();
    }
    EXPECT_EQ(h.host().registry().size(), 0u);
    EXPECT_EQ(h.host().timers().running(), 0u);
    EXPECT_EQ(plugin.released.size(), 5u);
}

TEST(PluginLoader, ASucceededLoadCommitsAndReleasesOnlyAtUnload) {
    host_under_test h;
    tag tags[5];
    in_process_plugin plugin{"working"};
    plugin.on_load = [&](switchboard_plugin_t* self, const switchboard_host_t* host) {
        register_everything(plugin, tags, self, host);
        return SWITCHBOARD_OK;
    };
    h.load(plugin);
    EXPECT_EQ(h.host().registry().size(), 4u);   // the timer is not a registration
    EXPECT_EQ(h.host().registry().handlers_for("/", "message").size(), 1u);
    EXPECT_EQ(h.host().timers().running(), 1u);
    EXPECT_TRUE(plugin.released.empty());
    h.host().unload_all();
    EXPECT_EQ(h.host().registry().size(), 0u);
    EXPECT_EQ(plugin.released.size(), 5u);
}

TEST(PluginLoader, AFailedLoadLeavesWhatEarlierPluginsRegisteredAndFreesWhatItTookForLaterOnes) {
    host_under_test h;
    tag first_tags[5], failed_tags[5];
    in_process_plugin first{"first"};
    first.on_load = [&](switchboard_plugin_t* self, const switchboard_host_t* host) {
        register_everything(first, first_tags, self, host);
        return SWITCHBOARD_OK;
    };
    h.load(first);
    in_process_plugin failing{"failing"};
    failing.on_load = [&](switchboard_plugin_t* self, const switchboard_host_t* host) {
        for (int i = 0; i < 5; ++i) failed_tags[i] = {&failing, i};
        host->host_set_release(self, &record_release);
        // A route an earlier plugin holds is refused; one of its own is staged.
        EXPECT_EQ(host->host_http_route(self, str("GET"), str("/things"), &on_http, &failed_tags[0]),
                  SWITCHBOARD_INVALID_ARGUMENT);
        EXPECT_EQ(host->host_http_route(self, str("GET"), str("/other"), &on_http, &failed_tags[1]), SWITCHBOARD_OK);
        EXPECT_EQ(host->host_on_event(self, str("/"), str("message"), 0, &on_event, &failed_tags[2]), SWITCHBOARD_OK);
        return SWITCHBOARD_ERROR;
    };
    EXPECT_THROW(h.load(failing), std::runtime_error);
    EXPECT_EQ(h.host().registry().size(), 4u);
    EXPECT_EQ(h.host().registry().handlers_for("/", "message").size(), 1u);
    EXPECT_FALSE(h.host().registry().has_route("GET", "/other"));
    EXPECT_EQ(failing.released.size(), 2u);   // the refused route was never registered
    // The route the failed plugin staged is free for the next one.
    in_process_plugin later{"later"};
    tag later_tag{&later, 0};
    later.on_load = [&](switchboard_plugin_t* self, const switchboard_host_t* host) {
        return host->host_http_route(self, str("GET"), str("/other"), &on_http, &later_tag);
    };
    h.load(later);
    EXPECT_TRUE(h.host().registry().has_route("GET", "/other"));
    EXPECT_TRUE(first.released.empty());
}

}  // namespace
}  // namespace switchboard::kernel::plugins::testing
