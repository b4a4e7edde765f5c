#!/bin/sh
# Install the Debian packages voronka needs, only those missing.
# Usage: scripts/deps.sh [build|test|bench]
#   test  = build + what the test suite needs
#   bench = build + what `make bench` needs (wrk, nginx, sqlite3, procps)
# Works as root or through sudo; prints nothing when everything is present.
set -eu
want=${1:-build}

build_pkgs="gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libxlsxwriter-dev"
test_pkgs="clang libclang-rt-dev sqlite3 chromium fonts-dejavu-core"
pkgs=$build_pkgs
bench_pkgs="wrk sqlite3 procps"
[ "$want" = test ] && pkgs="$pkgs $test_pkgs"
[ "$want" = bench ] && pkgs="$pkgs $bench_pkgs"
# nginx (the same-run baseline): any installed flavour will do (nginx, nginx-light, nginx-core…);
# only install one if there is no nginx binary. nginx-light is the small one.
if [ "$want" = bench ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	pkgs="$pkgs nginx-light"
fi
# node: any working node+npm will do (nodesource or Debian); only install Debian's if none.
if [ "$want" = test ] || [ "$want" = node ] || [ "$want" = bench ]; then
	command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
	command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
fi

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
	echo "deps: missing packages:$missing (run as root or install sudo)" >&2; exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2
