// What the host table's functions (host_api*.cpp) share: the guard that keeps
// exceptions from crossing into plugin code, and the functions one file defines for
// the table another file builds.
#pragma once

#include <exception>

#include "kernel/core/log.hpp"
#include "kernel/plugins/plugin_host.hpp"
#include "kernel/plugins/sdk_strings.hpp"

namespace switchboard::kernel::plugins::host_calls {

// Runs `body`, turning any exception into SWITCHBOARD_ERROR with a log line.
template <class Body>
switchboard_status_t guarded(switchboard_plugin_t* self, const char* what, Body&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& e) {
        SB_LOG(error, self ? self->name : "plugins") << what << " failed: " << e.what();
    } catch (...) {
        SB_LOG(error, self ? self->name : "plugins") << what << " failed";
    }
    if (self) self->failures.fetch_add(1, std::memory_order_relaxed);
    return SWITCHBOARD_ERROR;
}

// host_api_sockets.cpp: what reaches sockets (by handle, through the Socket.IO server).
switchboard_status_t host_ack(switchboard_plugin_t* self, switchboard_socket_t socket, int64_t ack_id,
                              switchboard_str_t args_json, const switchboard_str_t* attachments,
                              size_t attachment_count);
switchboard_status_t host_emit(switchboard_plugin_t* self, const switchboard_emit_t* emit);
switchboard_status_t host_join(switchboard_plugin_t* self, switchboard_socket_t socket, switchboard_str_t room,
                               uint32_t flags, switchboard_sink_fn refusal, void* user_data);
switchboard_status_t host_leave(switchboard_plugin_t* self, switchboard_socket_t socket, switchboard_str_t room);
switchboard_status_t host_disconnect(switchboard_plugin_t* self, switchboard_socket_t socket, int close_connection);
uint32_t host_user_sessions(switchboard_plugin_t* self, switchboard_str_t user_id);
switchboard_status_t host_users_online(switchboard_plugin_t* self, uint64_t offset, uint32_t limit,
                                       switchboard_sink_fn sink, void* user_data);
switchboard_status_t host_socket_rooms(switchboard_plugin_t* self, switchboard_socket_t socket,
                                       switchboard_sink_fn sink, void* user_data);
switchboard_status_t host_socket_in_room(switchboard_plugin_t* self, switchboard_socket_t socket,
                                         switchboard_str_t room, int* out_member);
switchboard_status_t host_sockets_leave(switchboard_plugin_t* self, switchboard_str_t nsp,
                                        const switchboard_str_t* in_rooms, size_t in_count,
                                        const switchboard_str_t* leave_rooms, size_t leave_count);
// host_publish's serverSideEmit: to the other nodes (payload: the arguments, or the one argument).
switchboard_status_t emit_to_other_nodes(switchboard_plugin_t* self, std::string_view event,
                                         std::string_view payload_json);

// host_api_db.cpp: the database calls.
switchboard_status_t host_db_exec(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_str_t sql,
                                  switchboard_str_t params_json, uint64_t* affected_rows, switchboard_sink_fn error,
                                  void* user_data);
switchboard_status_t host_db_query(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_str_t sql,
                                   switchboard_str_t params_json, switchboard_sink_fn rows, switchboard_sink_fn error,
                                   void* user_data);
switchboard_status_t host_db_begin(switchboard_plugin_t* self, switchboard_tx_t* out_tx, switchboard_sink_fn error,
                                   void* user_data);
switchboard_status_t host_db_commit(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_sink_fn error,
                                    void* user_data);
switchboard_status_t host_db_rollback(switchboard_plugin_t* self, switchboard_tx_t tx);

}  // namespace switchboard::kernel::plugins::host_calls
