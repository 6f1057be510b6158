#!/bin/sh
# Prints the path of the Python interpreter to build the venv with: the newest of 3.13, 3.12
# and 3.11 that really runs (a pyenv shim may exist for a version it cannot run), 3.13 first
# because Debian 13 and Raspberry Pi OS ship it and the printer emulator needs it.
set -u
# ensurepip too: Debian's python3 imports venv without python3-venv, then cannot build one.
probe='import sys, venv, ensurepip; assert sys.version_info >= (3, 11); print(sys.executable)'
for v in 3.13 3.12 3.11; do
  command -v "python$v" >/dev/null 2>&1 || continue
  if exe=$("python$v" -c "$probe" 2>/dev/null); then
    echo "$exe"; exit 0
  fi
  # A pyenv shim runs only when told which installed version to use.
  if command -v pyenv >/dev/null 2>&1; then
    pv=$(pyenv versions --bare 2>/dev/null | grep "^$v" | sort -V | tail -n 1)
    if [ -n "$pv" ] && exe=$(PYENV_VERSION="$pv" "python$v" -c "$probe" 2>/dev/null); then
      echo "$exe"; exit 0
    fi
  fi
done
if exe=$(python3 -c "$probe" 2>/dev/null); then
  echo "$exe"; exit 0
fi
echo "No Python 3.11 or newer found. On Debian: apt-get install python3 python3-venv" >&2
exit 1
