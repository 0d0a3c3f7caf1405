# Daftar: the two commands are `make run` and `make test`; everything else is a step of theirs.
BUILD   ?= build
JOBS    ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps build native wasm web run example test check sanitize fuzz clean bench bench-wasm bench-web bench-scale bench-verify bench-roll

# Debian's Emscripten 3.1.6 needs Debian's acorn for its optimiser (see ../shared/TOOLCHAIN.md). Its
# loader's fetch() quirk under Node 18+ does not concern us: wasm/js/daftar-core.mjs instantiates
# the modules itself (tools/build-libsodium-wasm.sh sets NODE_OPTIONS for libsodium's configure).
export NODE_PATH := /usr/share/nodejs
# ccache hits across checkouts (CI builds a fresh clone in another folder): paths are hashed
# relative to the checkout, and the sanitizer and fuzz builds' debug info does not pin the folder.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

all: build

deps:
	@tools/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

# libsodium for wasm first: the wasm project imports it.
$(BUILD)/wasm-deps/libsodium/lib/libsodium.a: tools/build-libsodium-wasm.sh | deps
	tools/build-libsodium-wasm.sh $(BUILD)/wasm-deps/libsodium

$(BUILD)/wasm/CMakeCache.txt: | deps $(BUILD)/wasm-deps/libsodium/lib/libsodium.a
	emcmake cmake -S wasm -B $(BUILD)/wasm $(CMAKE_FLAGS) -DDAFTAR_WEB_DIR=$(abspath $(BUILD))/web \
	  -DDAFTAR_SODIUM_DIR=$(abspath $(BUILD))/wasm-deps/libsodium

# Everything: the native binary and tests, and the web app (with its wasm) in $(BUILD)/web.
build: deps native web

native: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

wasm: $(BUILD)/wasm-deps/libsodium/lib/libsodium.a $(BUILD)/wasm/CMakeCache.txt
	cmake --build $(BUILD)/wasm -j $(JOBS)

# The web app: web/ and the generated region lists beside the wasm modules, with gzip twins.
web: wasm
	node tools/build-web.mjs node_modules web $(BUILD)/web
	@# gzip and brotli twins, served to browsers that accept them (brotli: over HTTPS)
	find $(BUILD)/web -type f \( -name '*.mjs' -o -name '*.js' -o -name '*.wasm' -o -name '*.bin' -o -name '*.html' -o -name '*.css' \
	  -o -name '*.json' -o -name '*.svg' -o -name '*.webmanifest' \) -exec gzip -9 -k -f {} + -exec brotli -Z -k -f {} +

# The main job: the server on http://127.0.0.1:8080 with its data in ./var (keys made on first
# start), with the development bank (--dev): never pass --dev in production.
run: build
	$(BUILD)/bin/daftar serve --dev --listen 127.0.0.1:8080 --data-dir var --web-root $(BUILD)/web

# The rules alone on the example family: its verdict and its quote.
example: native
	$(BUILD)/bin/daftar validate examples/family.json
	$(BUILD)/bin/daftar quote examples/family.json

# Every test: unit tests and shared cases, the CLI contract, native/wasm parity and packages, the
# server over HTTP, the web app in Chromium; then the native ones again under ASan and UBSan.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) sanitize
	$(MAKE) fuzz FUZZ_SECONDS=5

# libFuzzer harnesses (clang), each run for FUZZ_SECONDS on a corpus seeded from tests/cases, with
# tests/fuzz/<harness>.dict as its dictionary where there is one.
FUZZ_SECONDS ?= 60
FUZZERS := fields json validate package document http register
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAFTAR_FUZZ=ON \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache > /dev/null
	cmake --build build-fuzz -j $(JOBS)
	node tools/fuzz-seeds.mjs build-fuzz/corpus
	@for f in $(FUZZERS); do \
	  echo "== fuzz_$$f ($(FUZZ_SECONDS) s)"; \
	  mkdir -p build-fuzz/corpus/$$f build-fuzz/crashes; \
	  dict=; [ -f tests/fuzz/$$f.dict ] && dict=-dict=tests/fuzz/$$f.dict; \
	  build-fuzz/bin/fuzz_$$f build-fuzz/corpus/$$f $$dict -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 \
	    -artifact_prefix=build-fuzz/crashes/$$f- -print_final_stats=1 > build-fuzz/fuzz_$$f.log 2>&1 \
	    || { tail -40 build-fuzz/fuzz_$$f.log; echo "fuzz_$$f failed: the input is in build-fuzz/crashes/"; exit 1; }; \
	  grep -E "^(Done|stat::new_units_added)" build-fuzz/fuzz_$$f.log; \
	done

# ASan + UBSan: the unit tests, the CLI and the real server process, built in build-asan/.
sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAFTAR_SANITIZE=ON > /dev/null
	cmake --build build-asan -j $(JOBS) --target unit_tests daftar
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -L "unit|cli|server"

# The fast inner loop: native unit tests and cases only.
check: deps native
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

clean:
	rm -rf $(BUILD) build-asan build-fuzz

# The browser build's sizes and speeds, written to docs/wasm-budget.md (a benchmark, not a test).
# On one CPU (the native bench it starts too): this host's two CPUs do not always run as fast.
bench-wasm: build
	taskset -c 0 node tools/bench-wasm.mjs $(BUILD)/web docs/wasm-budget.md

# The web app's first load on emulated slow 3G, written to docs/web-budget.md.
bench-web: build
	node tools/bench-web.mjs $(BUILD) docs/web-budget.md

# Rules, payload and server figures, written to docs/BENCHMARKS.md (never part of make test).
bench: build
	node tools/bench.mjs $(BUILD) docs/BENCHMARKS.md
	node tools/bench-scale.mjs $(BUILD) docs/BENCHMARKS.md
	node tools/bench-verify.mjs $(BUILD) docs/BENCHMARKS.md
	node tools/bench-roll.mjs $(BUILD) docs/BENCHMARKS.md

# The calendar job's daily roll over 10 000, 100 000 and 1 000 000 families (SQLite).
bench-roll: build
	node tools/bench-roll.mjs $(BUILD) docs/BENCHMARKS.md

# Registrations/s and time to verified with a population registry answering in 50 ms and in 2 s.
bench-verify: build
	node tools/bench-verify.mjs $(BUILD) docs/BENCHMARKS.md

# SQLite against PostgreSQL with 1-3 servers behind HAProxy: the "Scale-out" section of docs/BENCHMARKS.md.
bench-scale: build
	node tools/bench-scale.mjs $(BUILD) docs/BENCHMARKS.md
