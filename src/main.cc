// The `orion` binary: everything happens in the command line (src/cli).
#include "cli/commands.h"

int main(int argc, char** argv) { return orion::cli::runCli(argc, argv); }
