# Daftar: the two commands are `make run` and `make test`; everything else is a step of theirs.
BUILD   ?= build
JOBS    ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps build native wasm web run example test check clean bench-wasm bench-web

# Debian's Emscripten 3.1.6 needs Debian's acorn for its optimiser (see ../shared/TOOLCHAIN.md). Its
# loader's fetch() quirk under Node 18+ does not concern us: wasm/js/daftar-core.mjs instantiates
# the modules itself (tools/build-libsodium-wasm.sh sets NODE_OPTIONS for libsodium's configure).
export NODE_PATH := /usr/share/nodejs

all: build

deps:
	@tools/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

# libsodium for wasm first: the wasm project imports it.
$(BUILD)/wasm-deps/libsodium/lib/libsodium.a: | deps
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
	@# gzip twins, served to browsers that accept them
	find $(BUILD)/web -type f \( -name '*.mjs' -o -name '*.js' -o -name '*.wasm' -o -name '*.html' -o -name '*.css' \
	  -o -name '*.json' -o -name '*.svg' \) -exec gzip -9 -k -f {} +

# The main job: the server on http://127.0.0.1:8080 with its data in ./var (keys made on first start).
run: build
	$(BUILD)/bin/daftar serve --listen 127.0.0.1:8080 --data-dir var --web-root $(BUILD)/web

# The rules alone on the example family: its verdict and its quote.
example: native
	$(BUILD)/bin/daftar validate examples/family.json
	$(BUILD)/bin/daftar quote examples/family.json

# Every test: unit tests, the shared cases, the CLI contract.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The fast inner loop: native unit tests and cases only.
check: deps native
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

clean:
	rm -rf $(BUILD)

# The browser build's sizes and speeds, written to docs/wasm-budget.md (a benchmark, not a test).
bench-wasm: build
	node tools/bench-wasm.mjs $(BUILD)/web docs/wasm-budget.md

# The web app's first load on emulated slow 3G, written to docs/web-budget.md.
bench-web: build
	node tools/bench-web.mjs $(BUILD) docs/web-budget.md
