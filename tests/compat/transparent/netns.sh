#!/usr/bin/env bash
# Runs inside `unshare --mount --net` (tests/compat/test_transparent.py): a private loopback, so port 443 is
# ours alone, and a hosts file bind-mounted over /etc/hosts in this mount namespace only, so the machine's
# /etc/hosts is never written. Usage: netns.sh HOSTS_FILE COMMAND [ARG...]
set -euo pipefail
hosts_file=$1
shift
ip link set lo up
mount --bind "$hosts_file" /etc/hosts
exec "$@"
