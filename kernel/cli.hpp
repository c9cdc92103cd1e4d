// The `switchboard` command line: `serve` (the default) and `--help`.
#pragma once

#include <functional>

namespace switchboard::kernel {

class server;

// Called once the server is built and before it listens: installs the handlers of an
// application compiled into the binary (tests use it; deployments use plugins).
using app_installer = std::function<void(server&)>;

int run_cli(int argc, char** argv, const app_installer& install = {});

}  // namespace switchboard::kernel
