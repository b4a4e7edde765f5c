# voronka — build, run and test. The layers, lowest first; a module includes only those below:
#   core -> store -> auth, org, crm -> telephony -> preset -> http -> main
# `make run` and `make test` are the README's quick start.

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libsodium xlsxwriter
WARN    := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  := $(OPT) $(SAN) -std=c11 -D_GNU_SOURCE -pthread $(WARN) -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread -lm
LDFLAGS := $(SAN)
B       ?= build

LAYER_CORE   := $(wildcard src/core/*.c)
LAYER_STORE  := $(wildcard src/store/*.c)
LAYER_DOMAIN := $(wildcard src/auth/*.c src/org/*.c src/crm/*.c src/telephony/*.c src/preset/*.c)
LAYER_HTTP   := $(wildcard src/http/*.c)
LIB_SRC      := $(LAYER_CORE) $(LAYER_STORE) $(LAYER_DOMAIN) $(LAYER_HTTP)
LIB_OBJ      := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/builtin.o

# Files compiled into the binary: the UI, npm libraries it imports, presets, the API document.
WEB_FILES    := $(shell find web -type f ! -name '*~' 2>/dev/null | sort)
VENDOR       := $(B)/web/vendor/preact.mjs $(B)/web/vendor/hooks.mjs $(B)/web/vendor/htm.mjs
PRESET_FILES := $(wildcard presets/*/preset.json)
BUILTIN_IN   := $(foreach f,$(WEB_FILES) $(PRESET_FILES) docs/openapi.json,$(f)=$(f)) \
                $(foreach f,$(VENDOR),web/vendor/$(notdir $(f))=$(f))

UNIT_SRC     := $(wildcard tests/unit/*_test.c)

.PHONY: all run test test-unit test-api test-e2e test-asan fuzz fuzz-smoke deps clean
all: $(B)/voronka

$(B)/voronka: $(B)/src/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/gen/builtin.o: $(B)/gen/builtin.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/gen/builtin.c: $(B)/mkbuiltin $(WEB_FILES) $(PRESET_FILES) docs/openapi.json $(VENDOR)
	@mkdir -p $(dir $@)
	$(B)/mkbuiltin $@ $(BUILTIN_IN)

$(B)/mkbuiltin: tools/mkbuiltin.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -std=c11 -Wall -Wextra -Werror -o $@ $<

# Browser-side libraries come from npm (package-lock.json) and are copied in at build time.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(B)/web/vendor/preact.mjs: node_modules/.package-lock.json
	@mkdir -p $(dir $@)
	cp node_modules/preact/dist/preact.module.js $@
$(B)/web/vendor/hooks.mjs: node_modules/.package-lock.json
	@mkdir -p $(dir $@)
	cp node_modules/preact/hooks/dist/hooks.module.js $@
$(B)/web/vendor/htm.mjs: node_modules/.package-lock.json
	@mkdir -p $(dir $@)
	cp node_modules/htm/dist/htm.module.js $@

# ---- run ----
deps:
	@sh scripts/deps.sh build

run: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/run.sh

# ---- tests ----
$(B)/unit: $(UNIT_SRC:%.c=$(B)/%.o) $(B)/tests/unit/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(B)/tests/unit/main.o: tests/unit/main.c $(UNIT_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -Itests/unit -c -o $@ $<

test-unit: $(B)/unit
	$(B)/unit all

test-api: $(B)/voronka
	VORONKA_BIN=$(abspath $(B)/voronka) node --test --test-concurrency=2 tests/api/*.test.mjs

test-e2e: $(B)/voronka
	VORONKA_BIN=$(abspath $(B)/voronka) node --test --test-concurrency=1 tests/e2e/*.test.mjs

test:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory all $(B)/unit
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-api
	$(MAKE) --no-print-directory test-e2e
	$(MAKE) --no-print-directory fuzz-smoke

# Same unit and API tests on an AddressSanitizer + UndefinedBehaviorSanitizer build.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
test-asan:
	@sh scripts/deps.sh test
	$(MAKE) --no-print-directory B=build-asan OPT="-O1 -g" SAN="$(ASAN_FLAGS)" build-asan/voronka build-asan/unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 build-asan/unit all
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 VORONKA_BIN=$(abspath build-asan/voronka) \
		node --test --test-concurrency=2 tests/api/*.test.mjs

# ---- fuzzing (libFuzzer, clang) ----
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Isrc \
               $(shell pkg-config --cflags jansson 2>/dev/null)
build/fuzz/fuzz_json: tests/fuzz/fuzz_json.c src/core/json.c src/core/rc.c src/core/arena.c src/core/mem.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(shell pkg-config --libs jansson)

build/fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c src/core/csv.c src/core/buf.c src/core/rc.c src/core/mem.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^

FUZZ_SECONDS ?= 60
fuzz: build/fuzz/fuzz_json build/fuzz/fuzz_csv
	@mkdir -p build/fuzz/corpus_json build/fuzz/corpus_csv
	build/fuzz/fuzz_json -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz/corpus_json tests/fuzz/corpus/json
	build/fuzz/fuzz_csv -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz/corpus_csv tests/fuzz/corpus/csv

# Every seed through the target once, plus a short random run: proves the harness works.
fuzz-smoke: build/fuzz/fuzz_json build/fuzz/fuzz_csv
	build/fuzz/fuzz_json -runs=0 tests/fuzz/corpus/json
	build/fuzz/fuzz_csv -runs=0 tests/fuzz/corpus/csv
	@mkdir -p build/fuzz/corpus_json build/fuzz/corpus_csv
	build/fuzz/fuzz_json -max_total_time=20 -max_len=65536 build/fuzz/corpus_json tests/fuzz/corpus/json
	build/fuzz/fuzz_csv -max_total_time=20 -max_len=65536 build/fuzz/corpus_csv tests/fuzz/corpus/csv

clean:
	rm -rf build build-asan

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- benchmarks (bench/, docs/performance.md) ----
# Same-run baselines: raw SQLite in voronka's mode, raw argon2id; nginx is started by bench/run.mjs.
BENCH_CFLAGS := $(OPT) -std=c11 -D_GNU_SOURCE -pthread $(WARN)
$(B)/bench/sqlite_baseline: bench/sqlite_baseline.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags sqlite3) -o $@ $< $(shell pkg-config --libs sqlite3)
$(B)/bench/pwhash_baseline: bench/pwhash_baseline.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags libsodium) -o $@ $< $(shell pkg-config --libs libsodium) -pthread

.PHONY: bench bench-smoke bench-build
bench-build:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(B)/bench/sqlite_baseline $(B)/bench/pwhash_baseline

# Default scale (1M contacts + 1M deals generated by voronka bench-gen, the scale of issue 4's
# targets), about 9 minutes on a quiet 2-core machine (up to 2 more waiting for quiet);
# writes bench/results/latest.json. BENCH_SCALE=100k make bench: a tenth of the data, about
# 7 minutes (writes latest-100k.json). See docs/performance.md.
BENCH_SCALE ?= default
bench: bench-build
	VORONKA_BIN=$(abspath $(B)/voronka) node bench/run.mjs --scale $(BENCH_SCALE)

# Tiny scale (~10k records, each load 1 s) for CI: asserts every operation produced a figure,
# not how fast.
bench-smoke: bench-build
	VORONKA_BIN=$(abspath $(B)/voronka) node bench/run.mjs --scale smoke
