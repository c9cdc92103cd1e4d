// What the plugin host needs from the rest of the kernel, named and passed in by the
// composition root (server.cpp). The host is a layer below the server: it never sees
// `server`, only these.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace switchboard::kernel {
class worker;
namespace socketio {
class server;
}
namespace store {
class database;
}
}  // namespace switchboard::kernel

namespace switchboard::kernel::plugins {

struct host_environment {
    // Sockets by handle, the namespaces' handlers, broadcasts, presence, and the
    // cluster adapter's calls (serverSideEmit, socketsLeave) behind them.
    socketio::server& socketio;
    // The network workers: inline timers run on them, spread one timer per worker in
    // turn. Empty (unit tests): inline timers run on the handler pool.
    std::vector<worker*> workers;
    // The deployment's database, opened on first use; throws when it cannot be.
    std::function<store::database&()> database;
    // What host_deployment_dir answers.
    std::string deployment_dir;
};

}  // namespace switchboard::kernel::plugins
