#include "kernel/cli.hpp"

int main(int argc, char** argv) { return switchboard::kernel::run_cli(argc, argv); }
