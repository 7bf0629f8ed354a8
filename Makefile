# A thin layer over CMake and npm, in the manner of DuckDB's Makefile.
#   make run    set up, build, and serve the app on 127.0.0.1 (sample data one click away)
#   make test   set up, build, and run every test: C++ unit and CLI tests (also under
#               ASan + UBSan), the wasm module against the CLI in Node, the web app in Chromium
#   make build  set up and build: build/flowlens (CLI), build-wasm/ (core as wasm), dist/ (site)
.PHONY: all setup build native native-asan wasm web test test-native test-wasm test-web run analyze-sample bench bench-deps bench-browser clean

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PORT ?= 8080
# Debian's Emscripten needs its node modules (acorn) on NODE_PATH; see wasm/README.md.
EMENV := NODE_PATH=/usr/share/nodejs

all: build

setup:
	@scripts/setup.sh

native: setup
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

native-asan: setup
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFLOWLENS_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

wasm: setup
	@$(EMENV) emcmake cmake -S . -B build-wasm -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOWLENS_TESTS=OFF >/dev/null
	@$(EMENV) cmake --build build-wasm -j $(JOBS)

web: native wasm
	@npm run --silent build:web

build: native wasm web

test-native: native native-asan
	@echo "== C++ unit and CLI tests (release)"
	@cd build && ctest --output-on-failure
	@echo "== C++ unit and CLI tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure

test-wasm: native wasm
	@echo "== WebAssembly module against the native CLI (Node)"
	@node --test tests/wasm/

test-web: build
	@echo "== web app: chart builders (Node) and end-to-end in Chromium"
	@npm run --silent test:web

test: test-native test-wasm test-web

run: build
	@node web/serve.mjs dist $(PORT)

# The CLI's main job on the bundled sample (what `make run` did before the web app).
analyze-sample: native
	@mkdir -p build/sample
	@build/flowlens generate --records 50000 --seed 7 -o build/sample/flowlogs-sample.log.gz
	@build/flowlens analyze build/sample/flowlogs-sample.log.gz

# Benchmarks print figures (medians, ratios against DuckDB in the same run); see bench/README.md.
# DuckDB (the peer) lives in bench/package.json, apart from the app's locked dependencies.
bench-deps:
	@npm install --prefix bench --no-audit --no-fund --loglevel=error

bench: native bench-deps
	@node bench/native.mjs

bench-browser: build bench-deps
	@node bench/browser.mjs

clean:
	rm -rf build build-asan build-wasm dist
