# Migrant Desk: build, run and test.
#
#   make run     install missing build packages, build, create the demo
#                database on first start, open the app
#   make test    every check (vet, pure-Go build, all tests)
#   make bench   benchmarks at state scale (BENCH, COUNT, BENCHTIME, BENCH_DB)
#   make fuzz    every fuzz target for FUZZTIME each
#
# The app needs cgo and the GL/X11/GTK headers; migrantdeskctl, data/ and
# report/ are pure Go and must build with CGO_ENABLED=0; gui/ too (it never
# imports fyne/v2/app, and its tests use Fyne's test driver).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO        ?= go
# Fyne 2.6+: UI updates from goroutines go through fyne.Do (see FyneApp.toml).
GOTAGS    := migrated_fynedo
BIN       := bin

DEMO_DB       ?= $(HOME)/.local/share/migrant-desk/demo.db
DEMO_STUDENTS ?= 20000

BENCH     ?= .
COUNT     ?= 5
BENCHTIME ?= 1s
BENCH_DB  ?= $(HOME)/.cache/migrant-desk/bench-700k.db

FUZZTIME  ?= 30s

# Packages that must build without cgo (those of them that exist yet).
PUREGO_PKGS := $(strip $(foreach d,gui data report,$(if $(wildcard $(d)),./$(d)/...)))

# Debian 12 packages needed to build and test. imagemagick is for the smoke
# test's screenshot, poppler-utils (pdftotext) for the PDF report tests.
DEB_PACKAGES := gcc pkg-config libgl1-mesa-dev xorg-dev libgtk-3-dev xvfb \
	xauth poppler-utils imagemagick fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: deps build demo run test bench fuzz clean

deps:
	@command -v $(GO) >/dev/null || { echo "deps: Go 1.26 is not on PATH (https://go.dev/dl/)" >&2; exit 1; }
	@if ! command -v dpkg-query >/dev/null; then \
		echo "deps: not a Debian system; make sure these are installed: $(DEB_PACKAGES)"; \
		exit 0; \
	fi; \
	missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 apt-get update -q; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 $$missing; \
	fi

build: deps
	mkdir -p $(BIN)
	CGO_ENABLED=1 $(GO) build -tags $(GOTAGS) -o $(BIN)/migrantdesk ./cmd/migrantdesk
	CGO_ENABLED=0 $(GO) build -o $(BIN)/migrantdeskctl ./cmd/migrantdeskctl

# The demo database is made once; delete it to get a fresh one. It is written
# under a temporary name first so that an interrupted run leaves nothing half-made.
demo: build
	@if [ -e "$(DEMO_DB)" ]; then echo "demo: using $(DEMO_DB)"; exit 0; fi; \
	mkdir -p "$$(dirname "$(DEMO_DB)")"; \
	tmp="$(DEMO_DB).partial"; \
	rm -f "$$tmp" "$$tmp-wal" "$$tmp-shm"; \
	echo "demo: creating $(DEMO_DB) with $(DEMO_STUDENTS) students"; \
	$(BIN)/migrantdeskctl demo --db "$$tmp" --students $(DEMO_STUDENTS); \
	if [ -e "$$tmp-wal" ]; then mv "$$tmp-wal" "$(DEMO_DB)-wal"; fi; \
	rm -f "$$tmp-shm"; \
	mv "$$tmp" "$(DEMO_DB)"

run: deps build demo
	$(BIN)/migrantdesk --db "$(DEMO_DB)"

# The tests (and benchmarks) of the hub's PostgreSQL back end use a private
# server that .ci/postgres.sh starts and stops around go test, whatever its
# result.
test: deps
	$(GO) vet -tags $(GOTAGS) ./...
	CGO_ENABLED=0 $(GO) build ./cmd/migrantdeskctl $(PUREGO_PKGS)
	CGO_ENABLED=0 $(GO) vet $(PUREGO_PKGS)
	bash .ci/postgres.sh run $(GO) test -tags $(GOTAGS) -count=1 ./...

bench: build
	mkdir -p "$$(dirname "$(BENCH_DB)")"
	MIGRANTDESK_BENCH_DB="$(BENCH_DB)" bash .ci/postgres.sh run $(GO) test -tags $(GOTAGS) -run '^$$' \
		-bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -count $(COUNT) -timeout 60m ./...

# `go test -list` prints each package's matching names, then an "ok <pkg>" line.
fuzz: deps
	@targets=$$($(GO) test -tags $(GOTAGS) -list '^Fuzz' ./... | \
		awk '/^Fuzz/ { n[++c] = $$1; next } /^ok/ { for (i = 1; i <= c; i++) print $$2 "/" n[i]; c = 0 }'); \
	if [ -z "$$targets" ]; then echo "fuzz: no fuzz targets"; exit 0; fi; \
	for t in $$targets; do \
		pkg=$${t%/*}; name=$${t##*/}; \
		echo "fuzz: $$pkg $$name for $(FUZZTIME)"; \
		$(GO) test -tags $(GOTAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	done

clean:
	rm -rf $(BIN) shots
