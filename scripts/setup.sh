#!/usr/bin/env bash
# Install the Debian packages the build, the tests and the tour need, if missing.
set -euo pipefail
PKGS=(build-essential cmake pkg-config clang libclang-rt-dev
      libcurl4-openssl-dev libjansson-dev libmicrohttpd-dev libsqlite3-dev libcmocka-dev libyaml-dev
      ca-certificates curl jq python3 valgrind procps man-db bsdextrautils zsh
      wrk python3-requests clang-format pmccabe gcovr postgresql libpq-dev systemd)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
