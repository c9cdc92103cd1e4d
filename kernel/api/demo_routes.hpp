// What a browser needs to try a deployment: the official Socket.IO browser client at
// <server.path>socket.io.min.js (as Node's `serveClient`), the demo page (config
// `demo:`) and its development login, POST <demo.path>/login {name, admin?} ->
// {token, user}, which mints a token for any typed name and is therefore refused unless
// the server listens on loopback only or the deployment says `demo_public: true`.
#pragma once

#include <string>
#include <vector>

namespace switchboard::kernel::config {
struct settings;
}

namespace switchboard::kernel::api {

class http_api;

struct demo_environment {
    const config::settings& settings;
    std::string jwt_secret;               // the HS256 secret tokens are signed with
    std::vector<std::string> web_roots;   // where web/ may be, searched in order
    bool listens_on_loopback_only = false;
};

// Reads the files now (a missing one is logged with the paths searched and its route
// answers 404) and adds the routes to `api`.
void install_demo_routes(http_api& api, const demo_environment& environment);

}  // namespace switchboard::kernel::api
