#!/usr/bin/env bash
# A private PostgreSQL server for the tests of the hub's PostgreSQL back end
# (and for `make bench`): its own data directory in a temporary folder, a
# Unix socket in that folder and no TCP port, so it clashes with nothing
# else on the machine, trust authentication on that socket only (but a
# password for the roles of the group md_password), and settings a state's
# server could run with: every commit flushed to disk before it is
# answered (fsync, synchronous_commit and full_page_writes as PostgreSQL
# ships them), so that benchmarks measure what a hub would do. Tests,
# whose data is thrown away, may skip the flushes with
# MIGRANTDESK_PG_NOSYNC=1 (make test does).
#
#   .ci/postgres.sh run COMMAND...   start a server, run COMMAND with
#                                    MIGRANTDESK_TEST_PG set to its URL, stop
#                                    the server whatever COMMAND did, and exit
#                                    with COMMAND's status
#   .ci/postgres.sh start DIR        start a server in DIR (made if missing);
#                                    print its URL
#   .ci/postgres.sh stop DIR         stop the server in DIR and remove DIR
#
# Debian's postgresql package is installed when it is missing and we are
# root. PostgreSQL refuses to run as root, and CI runs as root: then the
# server runs as the unprivileged user nobody. Without PostgreSQL (not root,
# not installed) `run` runs COMMAND without a server, so the tests that need
# one skip (they fail instead when CI=true).
set -euo pipefail

log() { echo "postgres: $*" >&2; }

bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install() {
	if bindir >/dev/null; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		return 1
	fi
	log "installing Debian's postgresql package"
	env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 apt-get update -q >&2
	env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 apt-get install -y -q \
		-o DPkg::Lock::Timeout=600 postgresql >&2
	bindir >/dev/null
}

# as runs a command as the server's user: nobody when we are root, from
# / since nobody may not enter the folder we are in.
as() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u nobody -- "$@")
	else
		"$@"
	fi
}

start() {
	local dir=$1 bin t0
	t0=$(date +%s.%N)
	install || { log "PostgreSQL is not installed (install Debian's postgresql package)"; return 1; }
	bin=$(bindir)
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody: "$dir"
	fi
	chmod 700 "$dir"
	as "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	cat >>"$dir/data/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$dir'
		max_connections = 200
		shared_buffers = 256MB
		max_wal_size = 2GB
	EOF
	if [ "${MIGRANTDESK_PG_NOSYNC:-}" = 1 ]; then
		cat >>"$dir/data/postgresql.conf" <<-EOF
			fsync = off
			synchronous_commit = off
			full_page_writes = off
		EOF
	fi
	# Roles in the group md_password sign in with their password (the
	# tests of PGPASSFILE and --db-password-file); the rest are trusted.
	as sh -c "{ echo 'local all +md_password scram-sha-256'; cat '$dir/data/pg_hba.conf'; } > '$dir/data/pg_hba.new' &&
		mv '$dir/data/pg_hba.new' '$dir/data/pg_hba.conf'"
	if ! as "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null; then
		cat "$dir/postgres.log" >&2
		return 1
	fi
	log "$("$bin/postgres" --version | sed 's/.*) //') ready in $(elapsed "$t0") s, socket in $dir"
	# A benchmark's server (one that flushes its commits) without huge
	# pages spends more CPU a request than a state's server would.
	if [ "${MIGRANTDESK_PG_NOSYNC:-}" != 1 ] && [ "$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo 2>/dev/null)" = 0 ]; then
		log "no huge pages reserved: the server uses more CPU a request without them (README, Operating the hub: sysctl vm.nr_hugepages)"
	fi
	echo "postgres://postgres@/postgres?host=$dir&sslmode=disable"
}

stop() {
	local dir=$1 bin pid
	[ -d "$dir/data" ] || { rm -rf "$dir"; return 0; }
	bin=$(bindir) || true
	if [ -n "$bin" ] && ! as "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
		# The server did not stop in time: end it by its own process ID.
		pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

run() {
	if [ -n "${MIGRANTDESK_TEST_PG:-}" ]; then
		"$@"
		return
	fi
	local dir url t0 t1 started status=0
	t0=$(date +%s.%N)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/migrantdesk-pg.XXXXXX")
	trap 'stop "$dir"' EXIT
	trap 'exit 130' INT TERM HUP
	if ! url=$(start "$dir"); then
		if [ "${CI:-}" = true ]; then
			log "no server could be started; CI runs every PostgreSQL test"
			return 1
		fi
		log "no server; the PostgreSQL tests will skip"
		"$@"
		return
	fi
	started=$(elapsed "$t0")
	MIGRANTDESK_TEST_PG=$url "$@" || status=$?
	t1=$(date +%s.%N)
	stop "$dir"
	trap - EXIT
	# What the server adds to the command's time, in the form of make
	# test's step lines.
	echo "== step postgres: $(awk -v a="$started" -v b="$(elapsed "$t1")" 'BEGIN { printf "%.1f", a + b }') s (start $started s, stop $(elapsed "$t1") s)" >&2
	return "$status"
}

case "${1:-}" in
run)
	shift
	[ $# -gt 0 ] || { echo "usage: $0 run COMMAND..." >&2; exit 2; }
	run "$@"
	;;
start | stop)
	[ $# -eq 2 ] || { echo "usage: $0 $1 DIR" >&2; exit 2; }
	"$1" "$2"
	;;
*)
	echo "usage: $0 run COMMAND... | start DIR | stop DIR" >&2
	exit 2
	;;
esac
