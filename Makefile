# colibri — every target installs what is missing (scripts/setup-deps), configures and builds.
#   make demo       synthesize a market and run the demo on it (no network, no account)
#   make test       build (release) and run the whole test suite
#   make asan-test  the test suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang 19)
#   make bench      the Google Benchmark suites (figures go to docs/BENCHMARKS.md)
#   make fuzz       the libFuzzer targets: 60 s each exploring (FUZZ_SECONDS); with CI=true a fixed
#                   FUZZ_RUNS inputs each from seed 1, the same on every machine
#   make tidy       clang-tidy 19 over the sources;  make format  applies .clang-format

SHELL := /bin/bash
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true
export CCACHE_SLOPPINESS := pch_defines,time_macros

BUILD := build
BIN := $(BUILD)/release/bin/colibri
DEMO_DIR := $(BUILD)/demo
FUZZ_SECONDS := 60
FUZZ_RUNS := 500000
FUZZ_BUDGET := $(if $(filter true,$(CI)),--runs $(FUZZ_RUNS),$(FUZZ_SECONDS))

.PHONY: deps release debug asan demo test asan-test bench fuzz tidy format clean

deps:
	@scripts/setup-deps

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release

debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug

asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan

demo: release
	@scripts/demo $(BIN) $(DEMO_DIR)

test: release
	@ctest --preset release

asan-test: asan
	@ctest --preset asan

bench: release
	@scripts/run-benchmarks $(BUILD)/release

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz --target fuzzers
	@scripts/run-fuzzers $(BUILD)/fuzz $(FUZZ_BUDGET)

tidy: release
	@run-clang-tidy-19 -quiet -p $(BUILD)/release 'colibri/.*\.cc$$'

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
