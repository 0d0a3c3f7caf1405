# Daftar: the two commands are `make run` and `make test`; everything else is a step of theirs.
BUILD   ?= build
JOBS    ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps build native wasm run test check clean bench-wasm

# Debian's Emscripten 3.1.6 with this machine's Node 20 (see ../shared/TOOLCHAIN.md).
export NODE_PATH := /usr/share/nodejs
export NODE_OPTIONS := --no-experimental-fetch

all: build

deps:
	@tools/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

$(BUILD)/wasm/CMakeCache.txt: | deps
	emcmake cmake -S wasm -B $(BUILD)/wasm $(CMAKE_FLAGS) -DDAFTAR_WEB_DIR=$(abspath $(BUILD))/web \
	  -DDAFTAR_SODIUM_DIR=$(abspath $(BUILD))/wasm-deps/libsodium

# Everything: the native binary and tests, and the web assets (wasm) in $(BUILD)/web.
build: deps native wasm

native: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

wasm: $(BUILD)/wasm/CMakeCache.txt
	tools/build-libsodium-wasm.sh $(BUILD)/wasm-deps/libsodium
	cmake --build $(BUILD)/wasm -j $(JOBS)

# The main job: until the server lands, the verdict and the quote for the bundled example family.
run: build
	@echo "== daftar validate examples/family.json"
	@$(BUILD)/bin/daftar validate examples/family.json; echo "(exit $$?)"
	@echo "== daftar quote examples/family.json"
	@$(BUILD)/bin/daftar quote examples/family.json; echo "(exit $$?)"

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
