/*
 * Switchboard plugin SDK: the C ABI between the kernel and a plugin.
 *
 * This header is the whole contract. A plugin is a shared library exporting one
 * function, `switchboard_plugin_entry`, which returns a descriptor. The kernel checks
 * the descriptor's ABI version, then calls `on_load` with the host table: the
 * functions a plugin calls to register handlers, emit, join rooms, set timers, read
 * its configuration, log and count.
 *
 * Versioning
 *   SWITCHBOARD_ABI_MAJOR changes only when an existing function or struct changes
 *   meaning or layout; a kernel refuses a plugin of another major. The minor grows
 *   when something is added at the END of the host table or of a struct. A plugin
 *   built against minor m loads in every kernel whose minor is >= m. Every struct that
 *   may grow starts with `struct_size`; read `host->struct_size` before calling a
 *   function this header added after the minor you require.
 *
 * What crosses the boundary
 *   Integers, `switchboard_str_t` views of UTF-8 text or bytes, opaque 64-bit handles,
 *   status codes, and function pointers with a `void* user_data`. Never C++ objects or
 *   exceptions: a plugin must not let an exception or a longjmp cross a call from the
 *   kernel (sdk.hpp's wrappers catch everything).
 *
 * Memory
 *   A view passed to a plugin callback is valid during that call only; copy what you
 *   keep. A view a plugin passes to the host is read during the call and not kept. The
 *   host never frees plugin memory and a plugin never frees host memory. Variable-size
 *   results (the plugin's config, a socket's data) are delivered through a
 *   `switchboard_sink_fn` called before the host function returns.
 *
 * Threads
 *   Every host function may be called from any thread. Handlers registered with
 *   SWITCHBOARD_INLINE run on the socket's network worker: they must not block (relays:
 *   typing, cursors, signaling). All other handlers run on the handler pool, in order per
 *   socket, and may block (on the database, for instance). A handler must not assume
 *   it runs on any particular thread.
 *
 * JSON and binary
 *   Event arguments are a JSON array in UTF-8 text. Binary values travel as
 *   Socket.IO placeholders {"_placeholder":true,"num":N} in the JSON, with the bytes of
 *   attachment N in `attachments[N]`, both ways.
 *
 * History (the CHANGELOG in docs/sdk.md tells more)
 *   1.0  the first published contract.
 *   1.1  events carry the socket's id, auth, handshake and dialect; socket_info its
 *        dialect; host_on_connected; host_socket_rooms, host_socket_in_room;
 *        host_sockets_leave; host_set_release; config schemas may say min, max, enum,
 *        pattern and items.
 */
#ifndef SWITCHBOARD_SDK_H
#define SWITCHBOARD_SDK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SWITCHBOARD_ABI_MAJOR 1
#define SWITCHBOARD_ABI_MINOR 1

#if defined(_WIN32)
#define SWITCHBOARD_EXPORT __declspec(dllexport)
#else
#define SWITCHBOARD_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------- basic types */

/* A view of UTF-8 text or bytes; `data` need not be NUL-terminated. */
typedef struct switchboard_str {
    const char* data;
    size_t size;
} switchboard_str_t;

/* A connected socket (one client in one namespace). Stays valid as a name after the
 * socket is gone: calls on a gone socket return SWITCHBOARD_NOT_FOUND or do nothing. */
typedef uint64_t switchboard_socket_t;

/* A timer set with host_timer_start. */
typedef uint64_t switchboard_timer_t;

/* A database transaction from host_db_begin; 0 means "no transaction" (each statement
 * commits on its own). */
typedef uint64_t switchboard_tx_t;

/* The kernel's record of one loaded plugin; passed back in every host call. */
typedef struct switchboard_plugin switchboard_plugin_t;

/* Where a hook writes its answer (see host_result_*). Valid during the hook only. */
typedef struct switchboard_result switchboard_result_t;

typedef enum switchboard_status {
    SWITCHBOARD_OK = 0,
    SWITCHBOARD_INVALID_ARGUMENT = 1, /* malformed JSON, empty name, bad flags... */
    SWITCHBOARD_NOT_FOUND = 2,        /* no such socket, timer or namespace */
    SWITCHBOARD_REFUSED = 3,          /* a hook refused (the client sees the reason) */
    SWITCHBOARD_NOT_ALLOWED_HERE = 4, /* e.g. a blocking call from an inline handler */
    SWITCHBOARD_UNSUPPORTED = 5,      /* not available in this kernel or deployment */
    SWITCHBOARD_ERROR = 6             /* anything else; the host logged the details */
} switchboard_status_t;

typedef enum switchboard_log_level {
    SWITCHBOARD_LOG_TRACE = 0,
    SWITCHBOARD_LOG_DEBUG = 1,
    SWITCHBOARD_LOG_INFO = 2,
    SWITCHBOARD_LOG_WARN = 3,
    SWITCHBOARD_LOG_ERROR = 4
} switchboard_log_level_t;

/* Registration flags. */
#define SWITCHBOARD_INLINE 0x1u /* run on the network worker; must not block */

/* Emit flags. */
#define SWITCHBOARD_EMIT_VOLATILE 0x1u /* may be dropped if the client cannot take it now */

/* Receives a variable-size result during a host call. */
typedef void (*switchboard_sink_fn)(void* user_data, switchboard_str_t value);

/* 1.1: frees what a registration's or a timer's `user_data` points to (host_set_release). */
typedef void (*switchboard_release_fn)(void* user_data);

/* ---------------------------------------------------------------- callbacks */

/* A client event. */
typedef struct switchboard_event {
    uint32_t struct_size;
    switchboard_socket_t socket;
    switchboard_str_t nsp;          /* "/", "/chat"... */
    switchboard_str_t event;        /* the event name */
    switchboard_str_t args_json;    /* JSON array of the arguments (placeholders for binary) */
    const switchboard_str_t* attachments;
    size_t attachment_count;
    int64_t ack_id;                 /* >= 0: the client waits for host_ack(socket, ack_id) */
    switchboard_str_t user_json;    /* the socket's user (JSON object), "null" if anonymous */
    /* 1.1 (check struct_size): the socket as its connect hooks saw it. */
    switchboard_str_t id;             /* the Socket.IO socket id */
    switchboard_str_t auth_json;      /* the CONNECT packet's auth payload (object) */
    switchboard_str_t handshake_json; /* {headers, query, address, issued, recovered} */
    /* The protocol the client speaks, a JSON object: {"engineio": 4 or 3, "socketio": 5
     * or 4, "parser": "json" or "msgpack"} (Engine.IO 3 / Socket.IO 4 is
     * socket.io-client 2.x and its ports, under engineio.allow_eio3). */
    switchboard_str_t dialect_json;
} switchboard_event_t;

typedef void (*switchboard_event_fn)(void* user_data, const switchboard_event_t* event);

/* A socket, as seen by connect and disconnect hooks. */
typedef struct switchboard_socket_info {
    uint32_t struct_size;
    switchboard_socket_t socket;
    switchboard_str_t id;             /* the Socket.IO socket id */
    switchboard_str_t nsp;
    switchboard_str_t auth_json;      /* the CONNECT packet's auth payload (object) */
    switchboard_str_t user_json;      /* the authenticated user, "null" if anonymous */
    switchboard_str_t handshake_json; /* {headers, query, address, issued, recovered} */
    /* 1.1 (check struct_size): as switchboard_event_t's dialect_json. */
    switchboard_str_t dialect_json;
} switchboard_socket_info_t;

/* Connect hook: called before a socket is accepted. Refuse with host_result_error;
 * the client gets CONNECT_ERROR {message, data:{code}}. */
typedef void (*switchboard_connect_fn)(void* user_data, const switchboard_socket_info_t* socket,
                                       switchboard_result_t* result);

typedef void (*switchboard_disconnect_fn)(void* user_data, const switchboard_socket_info_t* socket,
                                          switchboard_str_t reason);

/* 1.1: a socket was accepted (its CONNECT answered). Every socket this is called for
 * gets exactly one disconnect hook call later, and none is called for a refused one. */
typedef void (*switchboard_connected_fn)(void* user_data, const switchboard_socket_info_t* socket);

/* Join hook: called when a plugin asks host_join with SWITCHBOARD_JOIN_AUTHORIZE (the
 * client asked to join `room`). Refuse with host_result_error. */
typedef void (*switchboard_join_fn)(void* user_data, const switchboard_socket_info_t* socket, switchboard_str_t room,
                                    switchboard_result_t* result);

/* The client's answer to an emit with ack: `args_json` is the JSON array it answered,
 * or `timed_out` is 1 (and args_json empty) if it did not answer in time or left. */
typedef void (*switchboard_ack_fn)(void* user_data, int timed_out, switchboard_str_t args_json,
                                   const switchboard_str_t* attachments, size_t attachment_count);

typedef void (*switchboard_timer_fn)(void* user_data, switchboard_timer_t timer);

/* Auth hook: decides who a connecting client is, instead of (or before) the kernel's
 * JWT check. Answer host_result_json(result, user) with the user as a JSON object
 * ({"id": ..., "name": ..., "roles": [...]}), host_result_error to refuse, or nothing
 * to let the next hook (then the JWT check) decide. */
typedef struct switchboard_auth_request {
    uint32_t struct_size;
    switchboard_str_t nsp;
    switchboard_str_t auth_json;      /* the CONNECT auth payload (object) */
    switchboard_str_t handshake_json; /* {headers, query, address, issued} */
} switchboard_auth_request_t;

typedef void (*switchboard_auth_fn)(void* user_data, const switchboard_auth_request_t* request,
                                    switchboard_result_t* result);

/* Presence: a user's first session connected (online = 1) or last one left (0). */
typedef void (*switchboard_presence_fn)(void* user_data, switchboard_str_t user_id, int online);

/* A message on the server-side event bus (host_publish). */
typedef void (*switchboard_bus_fn)(void* user_data, switchboard_str_t topic, switchboard_str_t payload_json);

/* An HTTP request to a route the plugin registered. Answer with host_result_http. */
typedef struct switchboard_http_request {
    uint32_t struct_size;
    switchboard_str_t method;       /* "GET", "POST"... */
    switchboard_str_t path;
    switchboard_str_t query;        /* raw query string */
    switchboard_str_t headers_json; /* object of lower-case names to values */
    switchboard_str_t body;
} switchboard_http_request_t;

typedef void (*switchboard_http_fn)(void* user_data, const switchboard_http_request_t* request,
                                    switchboard_result_t* result);

/* ---------------------------------------------------------------- emits */

typedef enum switchboard_target {
    SWITCHBOARD_TO_SOCKET = 0,    /* `socket` */
    SWITCHBOARD_TO_ROOMS = 1,     /* members of `rooms` in `nsp` */
    SWITCHBOARD_TO_NAMESPACE = 2, /* everyone in `nsp` */
    SWITCHBOARD_TO_USER = 3       /* every device of user `user_id` in `nsp` (room "user:<id>") */
} switchboard_target_t;

typedef struct switchboard_emit {
    uint32_t struct_size;
    switchboard_target_t target;
    switchboard_socket_t socket;       /* SWITCHBOARD_TO_SOCKET */
    switchboard_str_t nsp;             /* the namespace (rooms, namespace, user targets) */
    const switchboard_str_t* rooms;    /* SWITCHBOARD_TO_ROOMS */
    size_t room_count;
    const switchboard_str_t* except_rooms; /* members of these rooms are skipped */
    size_t except_count;
    switchboard_socket_t except_socket;    /* non-zero: skipped (the sender, usually) */
    switchboard_str_t user_id;             /* SWITCHBOARD_TO_USER */
    switchboard_str_t event;
    switchboard_str_t args_json;           /* JSON array; "[]" or empty for none */
    const switchboard_str_t* attachments;
    size_t attachment_count;
    uint32_t flags;                        /* SWITCHBOARD_EMIT_* */
    /* SWITCHBOARD_TO_SOCKET only: wait for the client's ack, up to timeout_ms. */
    switchboard_ack_fn on_ack;
    void* ack_user_data;
    uint32_t ack_timeout_ms;
} switchboard_emit_t;

#define SWITCHBOARD_JOIN_AUTHORIZE 0x1u /* run the join hooks first */

/* ---------------------------------------------------------------- the host table */

typedef struct switchboard_host {
    uint32_t struct_size; /* sizeof the table this kernel provides */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Logs a line tagged with the plugin's name. */
    void (*host_log)(switchboard_plugin_t* self, switchboard_log_level_t level, switchboard_str_t message);

    /* Delivers the plugin's `config:` section as a JSON object, validated against the
     * descriptor's schema and completed with its defaults. */
    switchboard_status_t (*host_config)(switchboard_plugin_t* self, switchboard_sink_fn sink, void* user_data);

    /* Registers a handler for `event` in namespace `nsp` ("*" for every namespace).
     * The event "*" catches every event no handler names (a script runtime uses it to
     * serve names that appear at reload). Call during on_load. flags:
     * SWITCHBOARD_INLINE or 0 (pooled). */
    switchboard_status_t (*host_on_event)(switchboard_plugin_t* self, switchboard_str_t nsp, switchboard_str_t event,
                                          uint32_t flags, switchboard_event_fn fn, void* user_data);
    switchboard_status_t (*host_on_connect)(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                            switchboard_connect_fn fn, void* user_data);
    switchboard_status_t (*host_on_disconnect)(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                               switchboard_disconnect_fn fn, void* user_data);
    switchboard_status_t (*host_on_join)(switchboard_plugin_t* self, switchboard_str_t nsp, switchboard_join_fn fn,
                                         void* user_data);

    /* Answers a client event's ack (event->ack_id). Once per ack id. */
    switchboard_status_t (*host_ack)(switchboard_plugin_t* self, switchboard_socket_t socket, int64_t ack_id,
                                     switchboard_str_t args_json, const switchboard_str_t* attachments,
                                     size_t attachment_count);
    switchboard_status_t (*host_emit)(switchboard_plugin_t* self, const switchboard_emit_t* emit);

    /* Room membership. With SWITCHBOARD_JOIN_AUTHORIZE, the join hooks decide first:
     * SWITCHBOARD_REFUSED, and `refusal` (if given) receives their {code, message}. */
    switchboard_status_t (*host_join)(switchboard_plugin_t* self, switchboard_socket_t socket, switchboard_str_t room,
                                      uint32_t flags, switchboard_sink_fn refusal, void* user_data);
    switchboard_status_t (*host_leave)(switchboard_plugin_t* self, switchboard_socket_t socket,
                                       switchboard_str_t room);
    /* Disconnects the socket from its namespace; close_connection != 0 closes the
     * whole connection too (the client then reconnects by itself). */
    switchboard_status_t (*host_disconnect)(switchboard_plugin_t* self, switchboard_socket_t socket,
                                            int close_connection);

    /* Hook answers (connect, join, HTTP hooks). */
    void (*host_result_error)(switchboard_result_t* result, switchboard_str_t code, switchboard_str_t message);
    void (*host_result_http)(switchboard_result_t* result, int status, switchboard_str_t content_type,
                             switchboard_str_t body);

    /* Timers: the first call after delay_ms, then every interval_ms (0: once). Pooled
     * unless SWITCHBOARD_INLINE. */
    switchboard_status_t (*host_timer_start)(switchboard_plugin_t* self, uint64_t delay_ms, uint64_t interval_ms,
                                             uint32_t flags, switchboard_timer_fn fn, void* user_data,
                                             switchboard_timer_t* out_timer);
    switchboard_status_t (*host_timer_cancel)(switchboard_plugin_t* self, switchboard_timer_t timer);

    /* Adds `delta` to the counter switchboard_plugin_<plugin>_<name> on /metrics
     * (characters outside [A-Za-z0-9_] become '_'). */
    void (*host_counter_add)(switchboard_plugin_t* self, switchboard_str_t name, int64_t delta);

    /* Serves `method` `path` (exact match, under the HTTP API) on the handler pool. */
    switchboard_status_t (*host_http_route)(switchboard_plugin_t* self, switchboard_str_t method,
                                            switchboard_str_t path, switchboard_http_fn fn, void* user_data);

    /* Hook answer: a JSON value (the user, for an auth hook). */
    void (*host_result_json)(switchboard_result_t* result, switchboard_str_t value_json);

    /* ---- auth and presence ---- */

    /* Registers an auth hook for `nsp` ("*": every namespace). During on_load. */
    switchboard_status_t (*host_on_auth)(switchboard_plugin_t* self, switchboard_str_t nsp, switchboard_auth_fn fn,
                                         void* user_data);
    /* Called on the pool when a user's first session connects and last one leaves. */
    switchboard_status_t (*host_on_presence)(switchboard_plugin_t* self, switchboard_presence_fn fn,
                                             void* user_data);
    /* How many sessions `user_id` has connected now (0: offline). */
    uint32_t (*host_user_sessions)(switchboard_plugin_t* self, switchboard_str_t user_id);
    /* Online user ids, sorted, as a JSON array: at most `limit` from `offset`. */
    switchboard_status_t (*host_users_online)(switchboard_plugin_t* self, uint64_t offset, uint32_t limit,
                                              switchboard_sink_fn sink, void* user_data);

    /* ---- the server-side event bus (plugin to plugin, Lua and backends) ---- */

    /* Delivers `payload_json` to every subscriber of `topic`, on the pool. */
    switchboard_status_t (*host_publish)(switchboard_plugin_t* self, switchboard_str_t topic,
                                         switchboard_str_t payload_json);
    /* Subscribes to `topic`. During on_load. */
    switchboard_status_t (*host_subscribe)(switchboard_plugin_t* self, switchboard_str_t topic, switchboard_bus_fn fn,
                                           void* user_data);

    /* ---- the database (SQLite or PostgreSQL, per the deployment) ----
     * Statements use named parameters (:name) bound from `params_json`, an object.
     * Values: JSON strings, numbers, booleans and null. Refused with
     * SWITCHBOARD_NOT_ALLOWED_HERE from an inline handler (they block). On failure,
     * `error` (if given) receives {code, message}; codes: "db_unavailable",
     * "db_constraint", "db_error". */

    /* Runs a statement; `affected_rows` (if given) receives the changed row count. */
    switchboard_status_t (*host_db_exec)(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_str_t sql,
                                         switchboard_str_t params_json, uint64_t* affected_rows,
                                         switchboard_sink_fn error, void* user_data);
    /* Runs a query; `rows` receives a JSON array of objects (column name -> value). */
    switchboard_status_t (*host_db_query)(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_str_t sql,
                                          switchboard_str_t params_json, switchboard_sink_fn rows,
                                          switchboard_sink_fn error, void* user_data);
    /* Transactions hold one pooled connection until commit or rollback, on the
     * calling thread. */
    switchboard_status_t (*host_db_begin)(switchboard_plugin_t* self, switchboard_tx_t* out_tx,
                                          switchboard_sink_fn error, void* user_data);
    switchboard_status_t (*host_db_commit)(switchboard_plugin_t* self, switchboard_tx_t tx, switchboard_sink_fn error,
                                           void* user_data);
    switchboard_status_t (*host_db_rollback)(switchboard_plugin_t* self, switchboard_tx_t tx);

    /* The directory of the deployment's config file (absolute): relative paths in a
     * plugin's config are meant from there. */
    switchboard_status_t (*host_deployment_dir)(switchboard_plugin_t* self, switchboard_sink_fn sink,
                                                void* user_data);

    /* ---- 1.1: read host->struct_size before calling these ---- */

    /* Registers a hook called once a socket of `nsp` ("*": every namespace) is
     * accepted, before its first event reaches a pooled handler (pooled hooks run on the
     * socket's own queue; SWITCHBOARD_INLINE ones on its worker). Paired with the
     * disconnect hooks: see switchboard_connected_fn. During on_load. */
    switchboard_status_t (*host_on_connected)(switchboard_plugin_t* self, switchboard_str_t nsp, uint32_t flags,
                                              switchboard_connected_fn fn, void* user_data);
    /* The rooms `socket` is in, a JSON array of names (its own id room aside).
     * SWITCHBOARD_NOT_FOUND: the socket is gone. From an inline handler or another
     * network-worker callback only the sockets of that worker can be asked:
     * SWITCHBOARD_NOT_ALLOWED_HERE for the others (waiting on another worker could
     * wait on ourselves). */
    switchboard_status_t (*host_socket_rooms)(switchboard_plugin_t* self, switchboard_socket_t socket,
                                              switchboard_sink_fn sink, void* user_data);
    /* Whether `socket` is in `room`: *out_member = 1 or 0. Statuses as host_socket_rooms. */
    switchboard_status_t (*host_socket_in_room)(switchboard_plugin_t* self, switchboard_socket_t socket,
                                                switchboard_str_t room, int* out_member);
    /* Every socket of `nsp` in any of `in_rooms` (none: the whole namespace) leaves
     * every room of `leave_rooms`, on every node of the cluster (Node's
     * io.in(rooms).socketsLeave(leave)): e.g. in_rooms = leave_rooms = {"room:7"}
     * empties room:7, in_rooms = {"user:42"} takes user 42's devices out. Returns once
     * sent; the sockets leave on their workers and the other nodes soon after. */
    switchboard_status_t (*host_sockets_leave)(switchboard_plugin_t* self, switchboard_str_t nsp,
                                               const switchboard_str_t* in_rooms, size_t in_count,
                                               const switchboard_str_t* leave_rooms, size_t leave_count);
    /* Sets the function the kernel calls, exactly once per non-NULL `user_data`, when it
     * will never use that user_data again: for each registration (host_on_*,
     * host_subscribe, host_http_route) made after this call, at unload before on_unload
     * or when on_load fails; for each timer, once it was cancelled or fired for the last
     * time, after its callback returned. Not for emit acks (their callback is called
     * exactly once anyway). During on_load; NULL turns it off for what follows. */
    switchboard_status_t (*host_set_release)(switchboard_plugin_t* self, switchboard_release_fn release);

    /* Later minors append here. */
} switchboard_host_t;

/* ---------------------------------------------------------------- the descriptor */

typedef struct switchboard_plugin_descriptor {
    uint32_t struct_size; /* sizeof(switchboard_plugin_descriptor_t) as the plugin knows it */
    uint16_t abi_major;   /* SWITCHBOARD_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;   /* SWITCHBOARD_ABI_MINOR the plugin needs at least */
    const char* name;     /* [a-z0-9_-]+, the name the deployment enables */
    const char* version;  /* the plugin's own version, for `switchboard plugins` */
    const char* description;
    /* The config keys the plugin accepts, as a JSON object:
     *   {"max_length": {"type": "integer", "default": 1000, "description": "..."}, ...}
     * types: string, integer, number, boolean, array, object. A key without a default
     * is required. NULL: the plugin takes no configuration.
     * Since 1.1 the kernel also checks, and refuses at the value's file:line:
     *   "min", "max"  bounds (inclusive) of an integer or number; of the length of a
     *                 string (in characters) or of an array (in items);
     *   "enum"        the array of the values allowed;
     *   "pattern"     an ECMAScript regular expression a string must match whole;
     *   "items"       the schema ({"type", ...these}) every item of an array obeys.
     * A kernel of 1.0 ignores them (it checks only the type). */
    const char* config_schema_json;

    /* Called once, on the main thread, before the server listens. Register handlers
     * here. Store `self` and `host` for later calls. Return SWITCHBOARD_OK, or an
     * error (and log why with host_log): the plugin is then refused. `state` receives
     * whatever the plugin wants back in the other hooks. */
    switchboard_status_t (*on_load)(switchboard_plugin_t* self, const switchboard_host_t* host, void** state);
    /* Called on each network worker's thread when it starts and before it stops, for
     * per-thread state (inline handlers run on these threads). May be NULL. */
    void (*on_worker_start)(void* state, uint32_t worker_index);
    void (*on_worker_stop)(void* state, uint32_t worker_index);
    /* Called once at shutdown, after the last handler returned. May be NULL. */
    void (*on_unload)(void* state);
    /* Called on the main thread when the deployment reloads (SIGHUP or `switchboard
     * reload`): re-read scripts, caches... Handlers stay registered. May be NULL. */
    void (*on_reload)(void* state);
} switchboard_plugin_descriptor_t;

/* The one symbol a plugin exports. */
typedef const switchboard_plugin_descriptor_t* (*switchboard_plugin_entry_fn)(void);
#define SWITCHBOARD_PLUGIN_ENTRY_SYMBOL "switchboard_plugin_entry"

#ifdef __cplusplus
}
#endif

#endif /* SWITCHBOARD_SDK_H */
