#!/bin/sh
# `make run`: create data/voronka.db with a demo preset if absent, then serve on :8080.
# The demo password is kept in data/credentials.txt (git-ignored) so every run can print it.
set -eu
db=data/voronka.db
creds=data/credentials.txt
preset=${PRESET:-cleaning}
mkdir -p data
if [ ! -f "$db" ]; then
	pw=$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')
	./build/voronka demo --db "$db" --preset "$preset" --password "$pw"
	umask 077
	printf 'preset=%s\nlogin=admin\npassword=%s\n' "$preset" "$pw" > "$creds"
fi
if [ -f "$creds" ]; then
	echo "voronka: open http://127.0.0.1:8080 and sign in as $(sed -n 's/^login=//p' "$creds")" \
	     "with password $(sed -n 's/^password=//p' "$creds") (preset $(sed -n 's/^preset=//p' "$creds"))"
else
	echo "voronka: open http://127.0.0.1:8080 (this database was not made by make run;" \
	     "use the admin password you were given)"
fi
exec ./build/voronka serve --db "$db" --listen 127.0.0.1:8080
