#include "colibri/app/cli.h"

int main(int argc, char** argv) { return colibri::app::run_cli(argc, argv); }
