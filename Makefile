# Almanac's front door. `make run` serves the demo database; `make test` runs every test suite.
# Thin aliases over the CMake presets in CMakePresets.json.
.PHONY: all setup build run test unit asan fuzz fuzz-build format format-check bench clean

PORT ?= 8001

all: build

setup:
	@scripts/setup

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release

# Only what serving the demo needs: the binary and demo.db (no tests, no npm packages).
run:
	@scripts/setup --run
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target almanac demo_db
	@./build/almanac serve -p $(PORT)

# Every test: unit (GoogleTest), HTTP black-box (pytest), conformance replay, browser.
test: build
	@ctest --preset release

unit: build
	@ctest --preset release -L unit

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: setup
	@cmake --workflow --preset asan

# libFuzzer smoke runs (clang, ASan + UBSan) from the committed seed corpora: every fuzzer is
# built first, then they run FUZZ_JOBS at a time, FUZZ_SECONDS each (a fuzzer is one process:
# two at a time on two cores gives each a core of its own, as when they ran one by one).
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2
FUZZERS = token_fuzzer query_string_fuzzer json_body_fuzzer log_blob_fuzzer
fuzz-build: setup
	@tests/fuzz/run.sh --build-only $(FUZZERS)

fuzz: fuzz-build
	@printf '%s\n' $(FUZZERS) | xargs -P $(FUZZ_JOBS) -I{} tests/fuzz/run.sh --no-build {} $(FUZZ_SECONDS)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

bench: build
	@bench/run

clean:
	@rm -rf build build-dev build-asan build-fuzz
