# A thin layer over CMake, in the manner of DuckDB's Makefile.
#   make run    set up, build, and run the main job (flowlens analyze on the bundled sample)
#   make test   set up, build, and run every test (also under ASan + UBSan)
#   make build  set up and build; the native CLI lands at build/flowlens
.PHONY: all setup build build-asan test run sample clean

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_GEN := -G Ninja
SAMPLE := build/sample/flowlogs-sample.log.gz

all: build

setup:
	@scripts/setup.sh

build: setup
	@cmake -S . -B build $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: setup
	@cmake -S . -B build-asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DFLOWLENS_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

# The bundled sample: deterministic output of the generator (see README, "Sample data").
sample: build
	@mkdir -p build/sample
	@build/flowlens generate --records 50000 --seed 7 -o $(SAMPLE)

test: build build-asan
	@echo "== unit and CLI tests (release)"
	@cd build && ctest --output-on-failure
	@echo "== unit and CLI tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure

run: sample
	@build/flowlens analyze $(SAMPLE)

clean:
	rm -rf build build-asan
