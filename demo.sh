#!/usr/bin/env bash
# The main job: starts a seed and a node in one process and shows the node's address.
# On a terminal you get the node's console (type 'help'); otherwise it prints the address and stops.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
tools/setup-machine.sh
dotnet build src/Pype.Cli -c Release --no-restore --verbosity quiet -nologo
pype=(dotnet src/Pype.Cli/bin/Release/net10.0/pype.dll node --config hocon/seed-and-node.conf
      --data-dir "${PYPE_DEMO_DIR:-$HOME/.pype/demo}"
      --set pype.seed.listen=127.0.0.1:0 --set pype.node.listen=127.0.0.1:0 "$@")
if [ -t 0 ]; then
  exec "${pype[@]}"
else
  printf 'whoami\nstatus\nquit\n' | "${pype[@]}"
fi
