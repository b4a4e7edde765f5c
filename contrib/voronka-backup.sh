#!/bin/sh
# Online backup of the voronka database with rotation. See docs/backup-restore.md.
# Usage: voronka-backup.sh [DB [DIR [KEEP_DAYS]]]
#   DB        database file           (default /var/lib/voronka/voronka.db)
#   DIR       where backups are kept  (default /var/backups/voronka)
#   KEEP_DAYS delete backups older than this many days (default 14)
# Run it as the user that owns the database (voronka).
set -eu
db=${1:-/var/lib/voronka/voronka.db}
dir=${2:-/var/backups/voronka}
keep=${3:-14}
bin=${VORONKA_BIN:-/usr/local/bin/voronka}

stamp=$(date -u +%Y%m%d-%H%M%S)
out="$dir/voronka-$stamp.db"
tmp="$out.part"

trap 'rm -f "$tmp"' EXIT
"$bin" backup --db "$db" --to "$tmp"
# Check the copy before it counts as a backup (needs the sqlite3 package).
if command -v sqlite3 >/dev/null 2>&1; then
	res=$(sqlite3 "$tmp" 'PRAGMA integrity_check' 2>&1) || true
	if [ "$res" != ok ]; then
		echo "voronka-backup: integrity check failed for $tmp: $res" >&2
		exit 1
	fi
fi
mv "$tmp" "$out"
trap - EXIT

# Rotation: delete old backups, but never the newest one.
find "$dir" -maxdepth 1 -name 'voronka-*.db' -type f -mtime +"$keep" ! -name "voronka-$stamp.db" -delete
echo "voronka-backup: $out"
