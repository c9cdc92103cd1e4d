// `switchboard_test_server`: the switchboard binary with the test application compiled
// in, for the integration and e2e suites.
#include "kernel/cli.hpp"
#include "tests/support/test_app.hpp"

int main(int argc, char** argv) { return switchboard::kernel::run_cli(argc, argv, &switchboard::tests::install_test_app); }
