#!/usr/bin/env bash
# The main job: `pype demo` starts a seed and two nodes on this machine; alice calls bob with test
# video and a tone, bob shows the video (a window when there is a display, the terminal when this
# is one), both print per-second statistics, write what they received to ./pype-demo/, and hang up
# after 20 s with a summary. Options after the script name go to `pype demo` (see `pype help`),
# e.g. ./demo.sh --seconds 60 --size 1280x720 --video-out window
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
tools/setup-machine.sh
dotnet build src/Pype.Cli -c Release --no-restore --verbosity quiet -nologo
exec dotnet src/Pype.Cli/bin/Release/net10.0/pype.dll demo "$@"
