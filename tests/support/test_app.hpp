// The kernel test application: the behavior tests/e2e/README.md specifies and
// tests/e2e/reference/server.js implements on Node's socket.io, installed here on the
// kernel's internal API so both suites can run against Switchboard.
#pragma once

namespace switchboard::kernel {
class server;
}

namespace switchboard::tests {

void install_test_app(kernel::server& server);

}  // namespace switchboard::tests
