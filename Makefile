# Parley: the two commands.
#
#   make run    install what is missing, build the release, migrate, load the
#               demo town into an empty database, serve on 127.0.0.1:3000
#   make test   install what is missing, then every check: format, clippy
#               (ssr and hydrate), Rust tests on SQLite and PostgreSQL, and the
#               browser tests against the release build
#
# Every install step checks first, so a second run does no needless work.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The wasm-bindgen CLI must be the exact version of the crate in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)

# Tools installed by cargo, and binaryen's wasm-opt from end2end/node_modules
# (Debian's wasm-opt is too old: the page then never hydrates).
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export DEBIAN_FRONTEND := noninteractive
export CARGO_TERM_COLOR ?= never

NODE_STAMP := end2end/node_modules/.installed
APT_UPDATED := /tmp/.parley-apt-updated

.PHONY: help run test build release front check fmt clippy rust-tests e2e bench fuzz faults load \
        tools tools-build tools-test clean

help:
	@echo "make run    build and serve Parley with the demo town on http://127.0.0.1:3000"
	@echo "make test   run every check and test (installs what is missing)"
	@echo "make bench  measure speed; results in bench/RESULTS.md"
	@echo "make fuzz   property-based fuzzing for a bounded time"
	@echo "make faults kill the server 20 times under load; nothing acknowledged may be lost"
	@echo "make load   peak throughput, then 80 % of it held for ten minutes"

## The two commands ----------------------------------------------------------

run: tools-build release
	@target/release/parley seed-demo
	@echo "Parley is at http://$${PARLEY_ADDR:-127.0.0.1:3000} (Ctrl-C stops it)"
	exec target/release/parley serve

test: tools-test fmt clippy rust-tests release e2e
	@echo "make test: everything passed"

## Steps -----------------------------------------------------------------------

# The release is built again only when something it is built from changed:
# wasm-bindgen and wasm-opt would otherwise regenerate and re-optimise the
# same WebAssembly on every run (94 s), so a second `make run` with nothing
# changed serves in seconds. Delete the stamp to force a build.
RELEASE_STAMP := target/release/.parley-built
BUILD_INPUTS := Cargo.toml Cargo.lock .cargo/config.toml $(shell find app server locales style migrations -type f \
	-not -path '*/tests/*' -not -path 'server/benches/*' -not -path 'app/proptest-regressions/*')
PKG := target/site/pkg
WASM := target/front/wasm32-unknown-unknown/wasm-release/app.wasm

# A stamp without what it stands for (deleted by hand) is no stamp.
ifneq ($(words $(wildcard target/release/parley target/site/pkg/parley.wasm)),2)
$(shell rm -f $(RELEASE_STAMP))
endif

release: tools-build $(RELEASE_STAMP)

# The release is what cargo-leptos 0.3.10 built, without cargo-leptos (its
# install alone took 13 minutes on a new machine): the server, and at the
# same time the browser's part (`front`), so that wasm-bindgen and wasm-opt
# overlap the server's compilation. The stamp takes the time the build
# began: a file edited during the build is newer, and built next time.
$(RELEASE_STAMP): $(BUILD_INPUTS)
	@mkdir -p $(@D) && touch $@.began
	cargo build --release -p server --bin parley & server=$$!; \
	  if $(MAKE) --no-print-directory front; then wait $$server; \
	  else kill $$server; wait $$server || true; exit 1; fi
	@mv $@.began $@

# The browser's part, into target/site/pkg: the WebAssembly (in its own
# target directory, so that it builds beside the server), which wasm-bindgen
# wraps in `parley.js` and binaryen's wasm-opt shrinks with the flags
# cargo-leptos used, and the stylesheet. The new `pkg/` replaces the old one
# whole, its bundle named `parley.wasm` as the pages load it
# (`Hydration`, app/src/app.rs). Run by `release`.
front:
	cargo rustc -p app --lib --crate-type cdylib --target wasm32-unknown-unknown \
	  --profile wasm-release --no-default-features --features hydrate --target-dir target/front
	rm -rf $(PKG).new && mkdir -p $(PKG).new
	wasm-bindgen --target web --no-typescript --out-name parley --out-dir $(PKG).new $(WASM)
	wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
	  $(PKG).new/parley_bg.wasm -o $(PKG).new/parley.wasm
	rm $(PKG).new/parley_bg.wasm
	cp style/main.css $(PKG).new/parley.css
	rm -rf $(PKG) && mv $(PKG).new $(PKG)

fmt:
	cargo fmt --all --check

clippy:
	cargo clippy --workspace --all-targets --features server/ssr -- -D warnings
	cargo clippy -p app --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

# Unit and integration tests, on SQLite and on a throwaway PostgreSQL.
rust-tests:
	.ci/with-postgres.sh cargo test --workspace --no-fail-fast

# Speed figures, written to bench/RESULTS.md (SQLite and PostgreSQL).
bench: tools-test wrk release
	.ci/with-postgres.sh bench/run.sh

# Property-based fuzzing of what reads strangers' text (app/src/fuzz.rs), far
# longer than the smoke run in `make test`, bounded in time. A failure is
# kept in app/proptest-regressions/ (commit it: it becomes a regression test).
fuzz:
	PARLEY_FUZZ_CASES=$${PARLEY_FUZZ_CASES:-20000} timeout $${PARLEY_FUZZ_SECONDS:-1800} \
	  cargo test -p app --features ssr --lib fuzz::
	PARLEY_FUZZ_CASES=$${PARLEY_FUZZ_CASES:-20000} timeout $${PARLEY_FUZZ_SECONDS:-1800} \
	  cargo test -p server --lib fuzz_

# Load over time: the peak throughput of a consultation's mix at 1 to 256
# connections, then 80 % of it held for ten minutes (PARLEY_LOAD_HOLD_SECONDS)
# with no 5xx; PARLEY_LOAD_BACKEND=postgres for PostgreSQL. Printed for
# bench/RESULTS.md.
load: tools-test
	.ci/with-postgres.sh cargo bench -p server --bench load

# Faults: parley serve killed with SIGKILL twenty times in the middle of a
# submission load, on SQLite and PostgreSQL; every acknowledged feedback
# and forum reply must be stored exactly once (server/tests/faults.rs;
# make test runs three cycles). The tally goes in bench/RESULTS.md.
faults: tools-test
	PARLEY_FAULT_CYCLES=$${PARLEY_FAULT_CYCLES:-20} .ci/with-postgres.sh \
	  cargo test -p server --test faults -- --nocapture --test-threads=1

e2e: $(NODE_STAMP)
	cd end2end && npx playwright test

## Installing what is missing ----------------------------------------------------

tools-build: wasm-target wasm-bindgen $(NODE_STAMP)

tools-test: tools-build chromium postgresql nginx java

.PHONY: wasm-target wasm-bindgen chromium postgresql nginx java wrk

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown

# Without --locked: the CLI's lock file asks for a crate version the registry lacks.
wasm-bindgen:
	@if [ "$$(wasm-bindgen --version 2>/dev/null | awk '{print $$2}')" != "$(WASM_BINDGEN_VERSION)" ]; then \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

$(NODE_STAMP): end2end/package.json end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund
	@touch $@

$(APT_UPDATED):
	apt-get update -qq
	@touch $@

chromium:
	@if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null; then \
	  $(MAKE) --no-print-directory $(APT_UPDATED); \
	  apt-get install -y -qq chromium chromium-driver; \
	fi

# Installed without starting Debian's own cluster: the tests start theirs.
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(APT_UPDATED); \
	  policy=/usr/sbin/policy-rc.d; made_policy=; \
	  if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' > $$policy; chmod +x $$policy; made_policy=1; fi; \
	  apt-get install -y -qq postgresql; \
	  if [ -n "$$made_policy" ]; then rm -f $$policy; fi; \
	fi

# nginx, in front of two Parley processes in server/tests/processes.rs (the
# service it would start is not started).
nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  $(MAKE) --no-print-directory $(APT_UPDATED); \
	  policy=/usr/sbin/policy-rc.d; made_policy=; \
	  if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' > $$policy; chmod +x $$policy; made_policy=1; fi; \
	  apt-get install -y -qq nginx; \
	  if [ -n "$$made_policy" ]; then rm -f $$policy; fi; \
	fi

# wrk, the HTTP load generator of bench/page_cache.sh (`make bench` only).
wrk:
	@if ! command -v wrk >/dev/null; then \
	  $(MAKE) --no-print-directory $(APT_UPDATED); \
	  apt-get install -y -qq wrk; \
	fi

# The Nu HTML checker (vnu.jar, from npm) runs on Java.
java:
	@if ! command -v java >/dev/null; then \
	  $(MAKE) --no-print-directory $(APT_UPDATED); \
	  apt-get install -y -qq default-jre-headless; \
	fi

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/.e2e-data end2end/test-results
