# Migrant Desk: build, run, test and package.
#
#   make run       install missing build packages, build, create the demo
#                  database on first start, open the app
#   make test      every check (vet, the pure-Go check, all tests), then the
#                  Windows and Linux packages built and tried, the Windows one
#                  under Wine; each step prints its time
#   make windows   dist/migrant-desk-VERSION-windows-amd64.zip, cross-compiled,
#                  and its per-user installer ...-windows-amd64-setup.exe
#   make dist      dist/migrant-desk-VERSION-linux-amd64.tar.xz
#   make bench     benchmarks at state scale (BENCH, COUNT, BENCHTIME, BENCH_DB)
#   make fuzz      every fuzz target for FUZZTIME each
#
# The app needs cgo and the GL/X11/GTK headers; migrantdeskctl (the lean
# front that searches, and migrantdeskctl-full beside it that runs every
# command), data/ and report/ are pure Go and must build with CGO_ENABLED=0; gui/ too (it never
# imports fyne/v2/app, and its tests use Fyne's test driver).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO        ?= go
# Every go command here builds -trimpath, the tests' own go builds too (they
# inherit GOFLAGS): the packaged programs name no folder of the machine that
# built them (the clone, the module cache, GOROOT), and every step shares
# one build configuration, so that the packages reuse what build compiled.
export GOFLAGS := -trimpath $(filter-out -trimpath,$(GOFLAGS))
# Fyne 2.6+: UI updates from goroutines go through fyne.Do (see FyneApp.toml).
GOTAGS    := migrated_fynedo
BIN       := bin

# cgo's C compiler is clang, not gcc. To learn what each C name is, cgo
# compiles a file that misuses every name on purpose and reads the errors;
# for go-gl's ~5,700 OpenGL names, gcc's "did you mean" search over all
# declarations makes that quadratic: two gcc runs of about 3 minutes each
# against 2.5 s for clang, in every cold build of each target. `make CC=gcc`
# still works, slowly.
ifeq ($(origin CC),default)
CC := clang
endif
export CC

# The release, named in FyneApp.toml only: assets.Version is kept equal to
# it by a test, and the packages and the Windows version resource read it here.
toml_string = $(shell sed -n 's/^[[:space:]]*$(1)[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
APP_NAME     := $(call toml_string,Name)
APP_ID       := $(call toml_string,ID)
APP_ICON     := $(call toml_string,Icon)
VERSION      := $(call toml_string,Version)
BUILD_NUMBER := $(shell sed -n 's/^[[:space:]]*Build[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' FyneApp.toml)

PKG       := migrant-desk-$(VERSION)
# Every package ships a read-me for whoever unpacks it (assets/package/),
# the README as its operations guide, and the licences of what its programs
# link (cmd/internal/notices, from their build information and the module
# cache): Go's, every module's and the fonts'.
USER_README := assets/package/README.txt
NOTICES = $(GO) run ./cmd/internal/notices -title "$(APP_NAME) $(VERSION)" \
	-goroot "$$($(GO) env GOROOT)" -modcache "$$($(GO) env GOMODCACHE)" \
	-add "DejaVu Sans fonts 2.37, embedded in the PDF reports=assets/fonts/LICENSE"
WIN_ZIP   := dist/$(PKG)-windows-amd64.zip
WIN_SETUP := dist/$(PKG)-windows-amd64-setup.exe
# Who the Windows installer names as the app's publisher (Settings, Apps).
PUBLISHER := State Migrant Education Program
LINUX_TAR := dist/$(PKG)-linux-amd64.tar.xz

DEMO_DB       ?= $(HOME)/.local/share/migrant-desk/demo.db
DEMO_STUDENTS ?= 20000

BENCH     ?= .
COUNT     ?= 5
BENCHTIME ?= 1s
BENCH_DB  ?= $(HOME)/.cache/migrant-desk/bench-700k.db

FUZZTIME  ?= 30s

# Packages that must build without cgo (those of them that exist yet).
PUREGO_PKGS := ./cmd/migrantdeskctl ./cmd/migrantdeskctl-full ./cmd/internal/... $(strip $(foreach d,gui data report,$(if $(wildcard $(d)),./$(d)/...)))

# Debian 12 packages needed to build and test. imagemagick is for the smoke
# test's screenshot, poppler-utils (pdftotext) for the PDF report tests.
# gcc stays for a plain `go build` outside make.
DEB_PACKAGES := gcc clang pkg-config libgl1-mesa-dev xorg-dev libgtk-3-dev xvfb \
	xauth poppler-utils imagemagick fonts-dejavu-core
# ... to make the packages: mingw-w64's C library and linker for Windows,
# NSIS for its installer.
PACKAGE_DEB_PACKAGES := gcc-mingw-w64-x86-64-win32 zip xz-utils nsis
# ... to try them in `make test`.
PACKAGE_TEST_DEB_PACKAGES := wine wine64 desktop-file-utils unzip
# ... for the tests themselves: the sqlite3 shell tampers with the audit log
# as a person with a database tool would, and `audit verify` must catch it;
# xdotool moves the app's window to check that the next start keeps its place.
TEST_DEB_PACKAGES := sqlite3 xdotool
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# The steps of `make test`, in order, each timed for CI's log. `build` comes
# first so that vet and the tests find the dependencies compiled.
TEST_STEPS := test-deps build vet test-go windows dist test-dist test-windows

.PHONY: deps package-deps test-deps build demo run test vet test-go windows dist \
	release-check test-dist test-windows bench fuzz race clean

# $(call apt-install,PACKAGES) installs those of the Debian PACKAGES that are
# missing, in one apt-get run; elsewhere it only names them.
define apt-install
if ! command -v dpkg-query >/dev/null; then \
	echo "deps: not a Debian system; make sure these are installed: $(1)"; \
	exit 0; \
fi; \
missing=""; \
for p in $(1); do \
	dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
done; \
if [ -n "$$missing" ]; then \
	echo "deps: installing$$missing"; \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 apt-get update -q; \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 apt-get install -y -q \
		-o DPkg::Lock::Timeout=600 $$missing; \
fi
endef

deps:
	@command -v $(GO) >/dev/null || { echo "deps: Go 1.26 is not on PATH (https://go.dev/dl/)" >&2; exit 1; }
	@$(call apt-install,$(DEB_PACKAGES))

package-deps: deps
	@$(call apt-install,$(PACKAGE_DEB_PACKAGES))

# Everything `make test` installs, in one apt-get run.
test-deps:
	@$(call apt-install,$(DEB_PACKAGES) $(PACKAGE_DEB_PACKAGES) $(PACKAGE_TEST_DEB_PACKAGES) $(TEST_DEB_PACKAGES))

# Both migrantdeskctl programs in one go build: what they share is compiled
# once, and their links run side by side.
build: deps
	mkdir -p $(BIN)
	CGO_ENABLED=1 $(GO) build -tags $(GOTAGS) -o $(BIN)/migrantdesk ./cmd/migrantdesk
	CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/migrantdeskctl ./cmd/migrantdeskctl-full

# The demo database is made once; delete it to get a fresh one. migrantdeskctl
# demo writes a new database under another name and renames it when it is
# whole, so an interrupted run leaves nothing half-made.
demo: build
	@if [ -e "$(DEMO_DB)" ]; then echo "demo: using $(DEMO_DB)"; exit 0; fi; \
	echo "demo: creating $(DEMO_DB) with $(DEMO_STUDENTS) students"; \
	$(BIN)/migrantdeskctl demo --db "$(DEMO_DB)" --students $(DEMO_STUDENTS)

run: deps build demo
	$(BIN)/migrantdesk --db "$(DEMO_DB)"

# The CPU seconds tell more than the wall time on a machine that is busy
# with other work.
test:
	@for step in $(TEST_STEPS); do \
		TIMEFORMAT="== step $$step: %0R s (CPU: %0U s user, %0S s system)"; \
		time $(MAKE) --no-print-directory $$step; \
	done

# The pure-Go check type-checks those packages with cgo off. Of their
# dependencies it compiles again only those whose files change without cgo
# (net, os/user and what imports them), most of which the CGO_ENABLED=0
# migrantdeskctl of `make build` has compiled already; a CGO_ENABLED=0
# build of everything would compile the whole graph a second time.
vet: deps
	$(GO) vet -tags $(GOTAGS) ./...
	CGO_ENABLED=0 $(GO) vet $(PUREGO_PKGS)

# The same tags as `build` and `vet`, so that the tests reuse what they
# compiled. The tests of the hub's PostgreSQL back end (and the sync tests
# run against it) use a private server that .ci/postgres.sh starts before go
# test and stops after it, whatever its result, printing the time each took;
# its data is thrown away, so it does not flush commits to disk (make bench's
# does, as a state's server would).
test-go: deps
	MIGRANTDESK_PG_NOSYNC=1 bash .ci/postgres.sh run $(GO) test -tags $(GOTAGS) -count=1 ./...

# cgo's compiler for Windows: clang (for the reason given at CC) compiles,
# mingw-w64's gcc links, as it finds its own libgcc (clang 14 does not look in
# Debian's 12-win32 folder). A script rather than "clang --target=...", since
# Go's linker probes the linker flags it may use with the bare program name.
WIN_CC := $(CURDIR)/$(BIN)/x86_64-w64-mingw32-cc
$(WIN_CC): Makefile
	mkdir -p $(BIN)
	printf '%s\n' '#!/bin/sh' \
		'for a; do case $$a in -c|-E) exec clang --target=x86_64-w64-mingw32 "$$@";; esac; done' \
		'exec x86_64-w64-mingw32-gcc "$$@"' > $@
	chmod +x $@

# A release tag on the commit being packaged must name FyneApp.toml's version.
release-check:
	@tag=$$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null || true); \
	if [ -n "$$tag" ] && [ "$$tag" != "v$(VERSION)" ]; then \
		echo "release-check: the commit is tagged $$tag, but FyneApp.toml says Version $(VERSION)" >&2; \
		exit 1; \
	fi

# The Windows package. go-winres (a go.mod tool) writes the icon, a manifest
# (per-monitor DPI awareness, common controls 6 for the native save dialog)
# and the version information as a .syso file, which go build links into
# Windows builds of that package only; it is removed after the build so that
# no stale one is left. -H=windowsgui: a GUI program, no console window.
# The text files have CRLF line ends, for Notepad. The installer packs the
# zip's folder (assets/windows/installer.nsi says how it installs), with
# an .ico and its pages' picture made from the app icon.
WIN_OUT := $(BIN)/windows/$(PKG)
SYSO    := cmd/migrantdesk/rsrc_windows_amd64.syso
windows: package-deps release-check $(WIN_CC)
	rm -rf $(BIN)/windows
	mkdir -p $(WIN_OUT) dist
	trap 'rm -f $(SYSO)' EXIT; \
	$(GO) tool go-winres simply --arch amd64 --out $(SYSO:_windows_amd64.syso=) --manifest gui \
		--icon $(APP_ICON) --product-name "$(APP_NAME)" --file-description "$(APP_NAME)" \
		--original-filename migrantdesk.exe --product-version $(VERSION) \
		--file-version $(VERSION).$(BUILD_NUMBER); \
	GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=$(WIN_CC) $(GO) build -tags $(GOTAGS) \
		-ldflags -H=windowsgui -o $(WIN_OUT)/migrantdesk.exe ./cmd/migrantdesk
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -o $(WIN_OUT)/ ./cmd/migrantdeskctl ./cmd/migrantdeskctl-full
	$(NOTICES) -o $(BIN)/windows/notices.txt $(WIN_OUT)/migrantdesk.exe $(WIN_OUT)/migrantdeskctl.exe \
		$(WIN_OUT)/migrantdeskctl-full.exe
	sed 's/$$/\r/' $(BIN)/windows/notices.txt > $(WIN_OUT)/THIRD-PARTY-NOTICES.txt
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/$$/\r/' $(USER_README) > $(WIN_OUT)/README.txt
	sed 's/$$/\r/' README.md > $(WIN_OUT)/README-operations.txt
	rm -f $(WIN_ZIP)
	cd $(BIN)/windows && zip -q -r -X $(CURDIR)/$(WIN_ZIP) $(PKG)
	convert $(APP_ICON) -define icon:auto-resize=256,64,48,32,16 $(BIN)/windows/icon.ico
	convert -size 164x314 xc:'#E6F0F0' \( $(APP_ICON) -resize 120x120 \) -gravity north -geometry +0+36 \
		-composite -alpha off BMP3:$(BIN)/windows/wizard.bmp
	makensis -V2 -INPUTCHARSET UTF8 "-DAPP_NAME=$(APP_NAME)" -DAPP_ID=$(APP_ID) -DVERSION=$(VERSION) \
		-DVERSION4=$(VERSION).$(BUILD_NUMBER) "-DPUBLISHER=$(PUBLISHER)" -DSRC=$(CURDIR)/$(WIN_OUT) \
		-DICON=$(CURDIR)/$(BIN)/windows/icon.ico -DBITMAP=$(CURDIR)/$(BIN)/windows/wizard.bmp \
		-DOUTFILE=$(CURDIR)/$(WIN_SETUP) assets/windows/installer.nsi
	@echo "windows: $(WIN_ZIP) and $(WIN_SETUP)"

# The Linux package, laid out as `fyne package` lays one out, with the
# Makefile (assets/linux/install.mk) that installs it under ~/.local or
# /usr/local. xz -1: a few per cent bigger than the default -6, three times
# faster.
LINUX_OUT := $(BIN)/linux/$(PKG)
dist: build package-deps release-check
	rm -rf $(BIN)/linux
	mkdir -p $(LINUX_OUT)/usr/local/bin $(LINUX_OUT)/usr/local/share/applications \
		$(LINUX_OUT)/usr/local/share/pixmaps dist
	cp $(BIN)/migrantdesk $(BIN)/migrantdeskctl $(BIN)/migrantdeskctl-full $(LINUX_OUT)/usr/local/bin/
	sed -e 's/@NAME@/$(APP_NAME)/g' -e 's/@ID@/$(APP_ID)/g' assets/linux/app.desktop \
		> $(LINUX_OUT)/usr/local/share/applications/$(APP_ID).desktop
	cp $(APP_ICON) $(LINUX_OUT)/usr/local/share/pixmaps/$(APP_ID).png
	sed -e 's/@ID@/$(APP_ID)/g' assets/linux/install.mk > $(LINUX_OUT)/Makefile
	$(NOTICES) -o $(LINUX_OUT)/THIRD-PARTY-NOTICES.txt $(LINUX_OUT)/usr/local/bin/migrantdesk \
		$(LINUX_OUT)/usr/local/bin/migrantdeskctl $(LINUX_OUT)/usr/local/bin/migrantdeskctl-full
	sed 's/@VERSION@/$(VERSION)/' $(USER_README) > $(LINUX_OUT)/README.txt
	cp README.md $(LINUX_OUT)/README-operations.md
	tar -C $(BIN)/linux --owner=0 --group=0 -cf - $(PKG) | xz -T0 -1 > $(LINUX_TAR)
	@echo "dist: $(LINUX_TAR)"

# Installing the Linux package into a throwaway home, and the Windows one
# under Wine; each expects `make dist` or `make windows` to have made it.
test-dist: test-deps
	.ci/test-linux-package $(LINUX_TAR) $(VERSION) $(APP_ID)

test-windows: test-deps
	.ci/test-windows-package $(WIN_ZIP) $(VERSION) $(BIN)/migrantdeskctl $(WIN_SETUP)

bench: build
	mkdir -p "$$(dirname "$(BENCH_DB)")"
	MIGRANTDESK_BENCH_DB="$(BENCH_DB)" bash .ci/postgres.sh run $(GO) test -tags $(GOTAGS) -run '^$$' \
		-bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -count $(COUNT) -timeout 60m ./...

# The tests of the store, the hub, sync and the GUI under the race
# detector, the PostgreSQL ones with their server: the packages whose
# goroutines share a database (the hub's pulls and group commits, the
# workstation's writer and its background sync), and the app, whose reads
# and writes run off the UI goroutine and hand their results back to it.
# Some ten times slower than test-go, so not one of its steps.
race: deps
	MIGRANTDESK_PG_NOSYNC=1 bash .ci/postgres.sh run $(GO) test -race -tags $(GOTAGS) -count=1 -timeout 60m \
		./data/ ./data/store/... ./data/hub/... ./data/sync/... ./gui/...

# Each fuzz target runs from its package's folder in a test binary built
# first with the fuzzer's coverage instrumentation (-c -fuzz; built apart
# so that the compiler's memory is not counted), under GOMEMLIMIT
# and GNU time: the target fails on a crash, and on a peak resident set of
# any of its processes (the binary and its fuzzing workers, which it waits
# for) over FUZZMEM MB, since every reader must stay within its bounds
# whatever the input. A new interesting input is minimised for at most
# FUZZMINIMIZE runs, so that slow targets (a workbook per input) keep
# fuzzing. `go test -list` prints each package's matching names, then an
# "ok <pkg>" line.
FUZZMEM      ?= 1024
FUZZMINIMIZE ?= 100x
fuzz: deps
	@command -v /usr/bin/time >/dev/null || { echo "fuzz: needs GNU time (apt-get install time)" >&2; exit 1; }
	@targets=$$($(GO) test -tags $(GOTAGS) -list '^Fuzz' ./... | \
		awk '/^Fuzz/ { n[++c] = $$1; next } /^ok/ { for (i = 1; i <= c; i++) print $$2 "/" n[i]; c = 0 }'); \
	if [ -z "$$targets" ]; then echo "fuzz: no fuzz targets"; exit 0; fi; \
	work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	mod=$$($(GO) list -m); \
	for t in $$targets; do \
		pkg=$${t%/*}; name=$${t##*/}; dir=.$${pkg#$$mod}; bin="$$work/$$(echo "$$pkg" | tr / _).test"; \
		[ -x "$$bin" ] || $(GO) test -tags $(GOTAGS) -c -fuzz "^$$name\$$" -o "$$bin" "$$pkg"; \
		echo "fuzz: $$pkg $$name for $(FUZZTIME), at most $(FUZZMEM) MB"; \
		(cd "$$dir" && GOMEMLIMIT=$$(( $(FUZZMEM) * 3 / 4 ))MiB /usr/bin/time -f '%M' -o "$$work/peak" \
			"$$bin" -test.run '^$$' -test.fuzz "^$$name\$$" -test.fuzztime $(FUZZTIME) \
			-test.fuzzminimizetime $(FUZZMINIMIZE) -test.fuzzcachedir "$$work/cache"); \
		peak=$$(tail -n 1 "$$work/peak"); \
		echo "fuzz: $$name peak memory $$(( peak / 1024 )) MB"; \
		if [ "$$peak" -gt $$(( $(FUZZMEM) * 1024 )) ]; then \
			echo "fuzz: $$pkg $$name used $$(( peak / 1024 )) MB, more than $(FUZZMEM) MB" >&2; exit 1; \
		fi; \
	done

clean:
	rm -rf $(BIN) dist shots
