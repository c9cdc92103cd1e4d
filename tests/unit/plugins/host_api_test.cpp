// The host table's argument checks: null pointers, malformed JSON, registration out of
// phase and unknown handles are answered with the statuses sdk.h documents, and no
// call throws or reaches a socket.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "in_process_plugin.hpp"

namespace switchboard::kernel::plugins::testing {
namespace {

switchboard_str_t str(std::string_view s) { return {s.data(), s.size()}; }

void on_event(void*, const switchboard_event_t*) {}
void on_timer(void*, switchboard_timer_t) {}
void on_http(void*, const switchboard_http_request_t*, switchboard_result_t*) {}
void keep_text(void* out, switchboard_str_t text) { static_cast<std::string*>(out)->assign(text.data, text.size); }

// A loaded plugin whose on_load checked the registrations' own arguments.
struct HostApi : ::testing::Test {
    host_under_test h;
    in_process_plugin plugin{"checked"};
    switchboard_plugin_t* self = nullptr;
    const switchboard_host_t* host = nullptr;

    void SetUp() override {
        plugin.on_load = [](switchboard_plugin_t* self, const switchboard_host_t* host) {
            // Registration's own checks, in phase.
            EXPECT_EQ(host->host_on_event(nullptr, str("/"), str("e"), 0, &on_event, nullptr),
                      SWITCHBOARD_INVALID_ARGUMENT);
            EXPECT_EQ(host->host_on_event(self, str("/"), str("e"), 0, nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
            EXPECT_EQ(host->host_on_event(self, str("/"), str(""), 0, &on_event, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
            EXPECT_EQ(host->host_on_event(self, str("chat"), str("e"), 0, &on_event, nullptr),
                      SWITCHBOARD_INVALID_ARGUMENT);   // a namespace starts with "/" (or is "*")
            EXPECT_EQ(host->host_on_event(self, str(""), str("e"), 0, &on_event, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
            EXPECT_EQ(host->host_http_route(self, str("GET"), str("no-slash"), &on_http, nullptr),
                      SWITCHBOARD_INVALID_ARGUMENT);
            EXPECT_EQ(host->host_http_route(self, str(""), str("/x"), &on_http, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
            EXPECT_EQ(host->host_subscribe(self, str(""), nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
            EXPECT_EQ(host->host_set_release(nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
            return host->host_on_event(self, str("*"), str("e"), 0, &on_event, nullptr);
        };
        h.load(plugin);
        self = plugin.self;
        host = plugin.host;
        ASSERT_NE(self, nullptr);
        ASSERT_EQ(h.host().registry().size(), 1u);
    }
};

TEST_F(HostApi, RegistrationAfterOnLoadIsNotAllowedHere) {
    EXPECT_EQ(host->host_on_event(self, str("/"), str("late"), 0, &on_event, nullptr), SWITCHBOARD_NOT_ALLOWED_HERE);
    EXPECT_EQ(host->host_http_route(self, str("GET"), str("/late"), &on_http, nullptr), SWITCHBOARD_NOT_ALLOWED_HERE);
    EXPECT_EQ(host->host_set_release(self, nullptr), SWITCHBOARD_NOT_ALLOWED_HERE);
    EXPECT_EQ(h.host().registry().size(), 1u);
}

TEST_F(HostApi, EmitRefusesMalformedArgumentsAndTargets) {
    switchboard_emit_t emit{};
    emit.struct_size = sizeof emit;
    emit.target = SWITCHBOARD_TO_NAMESPACE;
    emit.event = str("news");
    emit.args_json = str("[1,");
    EXPECT_EQ(host->host_emit(self, &emit), SWITCHBOARD_INVALID_ARGUMENT);   // not JSON
    emit.args_json = str(R"({"not":"an array"})");
    EXPECT_EQ(host->host_emit(self, &emit), SWITCHBOARD_INVALID_ARGUMENT);
    emit.args_json = str("[1]");
    emit.attachment_count = 1;   // attachments counted but not given
    EXPECT_EQ(host->host_emit(self, &emit), SWITCHBOARD_INVALID_ARGUMENT);
    emit.attachment_count = 0;
    emit.event = str("");
    EXPECT_EQ(host->host_emit(self, &emit), SWITCHBOARD_INVALID_ARGUMENT);
    emit.event = str("news");
    emit.target = SWITCHBOARD_TO_ROOMS;   // and no rooms
    EXPECT_EQ(host->host_emit(self, &emit), SWITCHBOARD_INVALID_ARGUMENT);
    emit.target = SWITCHBOARD_TO_USER;   // and no user
    EXPECT_EQ(host->host_emit(self, &emit), SWITCHBOARD_INVALID_ARGUMENT);
    emit.target = static_cast<decltype(emit.target)>(99);
    EXPECT_EQ(host->host_emit(self, &emit), SWITCHBOARD_INVALID_ARGUMENT);
    emit.struct_size = 8;   // a struct shorter than any version of it
    EXPECT_EQ(host->host_emit(self, &emit), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_emit(self, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_emit(nullptr, &emit), SWITCHBOARD_INVALID_ARGUMENT);
}

TEST_F(HostApi, SocketCallsCheckTheirArguments) {
    EXPECT_EQ(host->host_ack(self, 1, -1, str("[]"), nullptr, 0), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_ack(self, 1, 0, str("[oops"), nullptr, 0), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_ack(nullptr, 1, 0, str("[]"), nullptr, 0), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_join(self, 1, str(""), 0, nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_leave(self, 1, str("")), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_disconnect(nullptr, 1, 0), SWITCHBOARD_INVALID_ARGUMENT);
    int member = 0;
    EXPECT_EQ(host->host_socket_in_room(self, 1, str("room"), nullptr), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_socket_in_room(self, 1, str(""), &member), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_socket_rooms(self, 1, nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
    const switchboard_str_t rooms[] = {str("a")};
    EXPECT_EQ(host->host_sockets_leave(self, str("chat"), nullptr, 0, rooms, 1), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_sockets_leave(self, str("/"), nullptr, 0, nullptr, 0), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_sockets_leave(self, str("/"), nullptr, 2, rooms, 1), SWITCHBOARD_INVALID_ARGUMENT);
}

TEST_F(HostApi, UnknownHandlesAreNotFound) {
    // Handle 0 names no worker's socket: answered at once, nothing waits.
    std::string rooms;
    EXPECT_EQ(host->host_socket_rooms(self, 0, &keep_text, &rooms), SWITCHBOARD_NOT_FOUND);
    EXPECT_TRUE(rooms.empty());
    int member = 7;
    EXPECT_EQ(host->host_socket_in_room(self, 0, str("room"), &member), SWITCHBOARD_NOT_FOUND);
    EXPECT_EQ(member, 7);
    EXPECT_EQ(host->host_timer_cancel(self, 424242), SWITCHBOARD_NOT_FOUND);
    // A timer cancelled once is unknown after.
    switchboard_timer_t timer = 0;
    ASSERT_EQ(host->host_timer_start(self, 3'600'000, 0, 0, &on_timer, nullptr, &timer), SWITCHBOARD_OK);
    EXPECT_EQ(host->host_timer_cancel(self, timer), SWITCHBOARD_OK);
    EXPECT_EQ(host->host_timer_cancel(self, timer), SWITCHBOARD_NOT_FOUND);
    EXPECT_EQ(host->host_timer_start(self, 1, 0, 0, nullptr, nullptr, &timer), SWITCHBOARD_INVALID_ARGUMENT);
}

TEST_F(HostApi, APluginCannotCancelAnotherPluginsTimer) {
    switchboard_timer_t timer = 0;
    ASSERT_EQ(host->host_timer_start(self, 3'600'000, 0, 0, &on_timer, nullptr, &timer), SWITCHBOARD_OK);
    in_process_plugin other{"other"};
    other.on_load = [](switchboard_plugin_t*, const switchboard_host_t*) { return SWITCHBOARD_OK; };
    h.load(other);
    ASSERT_NE(other.self, nullptr);
    EXPECT_EQ(host->host_timer_cancel(other.self, timer), SWITCHBOARD_NOT_FOUND);
    EXPECT_EQ(host->host_timer_cancel(self, timer), SWITCHBOARD_OK);
    h.host().unload_all();   // while `other`, which the host calls at unload, still stands
}

TEST_F(HostApi, BusAndConfigCheckTheirArguments) {
    EXPECT_EQ(host->host_publish(self, str("topic"), str("{not json")), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_publish(self, str("topic"), str("")), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_publish(self, str(""), str("{}")), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_publish(self, str("serverSideEmit:"), str("[]")), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_publish(self, str("topic"), str(R"({"ok":true})")), SWITCHBOARD_OK);
    EXPECT_EQ(host->host_config(self, nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
    std::string config, dir;
    EXPECT_EQ(host->host_config(self, &keep_text, &config), SWITCHBOARD_OK);
    EXPECT_EQ(config, "{}");
    EXPECT_EQ(host->host_deployment_dir(self, &keep_text, &dir), SWITCHBOARD_OK);
    EXPECT_EQ(dir, "/deployment");
    // The result setters ignore a null result rather than crash.
    host->host_result_error(nullptr, str("code"), str("message"));
    host->host_result_json(nullptr, str("{}"));
    host->host_result_http(nullptr, 200, str("text/plain"), str("ok"));
}

TEST_F(HostApi, DatabaseCallsCheckArgumentsAndReportAMissingDatabase) {
    EXPECT_EQ(host->host_db_exec(self, 0, str(""), str("{}"), nullptr, nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_db_query(self, 0, str("SELECT 1"), str("{}"), nullptr, nullptr, nullptr),
              SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_db_begin(self, nullptr, nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_db_commit(self, 0, nullptr, nullptr), SWITCHBOARD_INVALID_ARGUMENT);
    EXPECT_EQ(host->host_db_rollback(self, 0), SWITCHBOARD_INVALID_ARGUMENT);
    // This host has no database: the error sink hears why, as {code, message}.
    std::string error;
    EXPECT_EQ(host->host_db_exec(self, 0, str("SELECT 1"), str("{}"), nullptr, &keep_text, &error), SWITCHBOARD_ERROR);
    const auto reported = nlohmann::json::parse(error);
    EXPECT_EQ(reported.at("code"), "db_unavailable");
    EXPECT_EQ(reported.at("message"), "no database here");
}

}  // namespace
}  // namespace switchboard::kernel::plugins::testing
