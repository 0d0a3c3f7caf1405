# Daftar: the two commands are `make run` and `make test`; everything else is a step of theirs.
BUILD   ?= build
JOBS    ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps build run test check clean example

all: build

deps:
	@tools/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

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
check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

clean:
	rm -rf $(BUILD)
