#!/usr/bin/env bash
# Installs the Debian packages Pype needs, only those that are missing, then restores NuGet
# packages. Safe to run again and again; both README commands call it.
set -euo pipefail

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v turnserver >/dev/null 2>&1 || need+=(coturn)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
dpkg -s libportaudio2 >/dev/null 2>&1 || need+=(libportaudio2)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
command -v script >/dev/null 2>&1 || need+=(bsdutils)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK (dotnet) is required and is not on PATH" >&2
  exit 1
fi

cd "$(dirname "$0")/.."
dotnet restore Pype.sln --verbosity quiet
