# The project's commands (pinned in DESIGN.md section 2). Each does its own set-up.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
export CARGO_TERM_COLOR ?= never

.PHONY: setup build build-core build-js build-www build-worker test dev bench bench-clock fuzz clean

setup:
	@if [ -x scripts/setup-tools.sh ]; then scripts/setup-tools.sh; fi

build: setup build-core build-js build-www build-worker

build-core:
	cargo build -p ssf-core --all-targets
	cargo build -p ssf-core --target wasm32-unknown-unknown --no-default-features --features rustcrypto

build-js: setup
	@if [ -x scripts/build-js.sh ]; then scripts/build-js.sh; else echo "js-bindings: not yet"; fi

build-www: build-js
	@if [ -x scripts/build-www.sh ]; then scripts/build-www.sh; else echo "www: not yet"; fi

build-worker: build-www
	@if [ -x scripts/build-worker.sh ]; then scripts/build-worker.sh; else echo "worker: not yet"; fi

test: build
	scripts/test-all.sh

dev: build
	@if [ -x scripts/dev.sh ]; then scripts/dev.sh; else echo "The worker comes next: core and bindings are built."; fi

# Benchmarks need the release artefacts only (not the debug test builds of build-core).
# bench-clock runs first so that the report can give the whole command's time.
bench: bench-clock build-worker
	@if [ -x scripts/bench.sh ]; then scripts/bench.sh; else echo "benchmarks: not yet"; fi

bench-clock:
	@mkdir -p target && date +%s > target/bench-started

# Coverage-guided fuzzing of every parser of outside input (libFuzzer through cargo-fuzz,
# installed if missing; stable toolchain with RUSTC_BOOTSTRAP). FUZZ_SECONDS per target
# (default 60), FUZZ_TARGET for one target (default all). make test runs each for 15 s.
fuzz:
	scripts/fuzz.sh

clean:
	cargo clean
	rm -rf js-bindings/pkg js-bindings/*.tgz js-bindings/.scratch worker/build www/dist test-artifacts
