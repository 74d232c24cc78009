# linli — build, run, test, bench.
# `make run` and `make test` are the two commands a new user needs; both
# install missing Debian packages first (scripts/deps.sh), as do `make lint`
# and `make fmt-check` for their tools.

CC      ?= cc
PKGS    := libmicrohttpd jansson libsodium xlsxwriter libzip sqlite3 libpq opencc libqrencode libcurl expat libutf8proc
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Isrc -Ibuild/gen
# Hardening of the real binary (scripts/check-hardening.sh, run by make
# test, reads it back from the ELF): stack canaries, fortified libc calls
# (needs -O1 or more), PIE, full RELRO. The sanitizer build leaves
# _FORTIFY_SOURCE out: its checked wrappers would hide calls from ASan.
HARDEN_CFLAGS  := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now
SAN_FLAGS      := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -U_FORTIFY_SOURCE \
		  -fstack-protector-strong -fPIE

Q       ?= @
BUILD   := build
SAN     := $(BUILD)/san
GEN     := $(BUILD)/gen

# Every C file under src/ (a folder per capability inside domain/ and api/).
SRC_LIB := $(shell find src -name '*.c' | sort)
SRC_LIB := $(filter-out src/cli/main.c,$(SRC_LIB))
GEN_SRC := $(GEN)/pinyin_table.c $(GEN)/embedded.c
OBJ     := $(patsubst %.c,$(BUILD)/obj/%.o,$(SRC_LIB) $(GEN_SRC))
SAN_OBJ := $(patsubst %.c,$(SAN)/obj/%.o,$(SRC_LIB) $(GEN_SRC))
# Unit tests sit in tests/unit/ or a capability folder below it; each
# test_NAME.c becomes $(SAN)/test_NAME.
UNIT_SRC:= $(shell find tests/unit -name 'test_*.c' | sort)
UNIT_BIN:= $(addprefix $(SAN)/,$(basename $(notdir $(UNIT_SRC))))
EMBED   := $(wildcard src/store/migrations/*.sql)
WEB_SRC := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.js web/package-lock.json
WEB_OUT := $(BUILD)/web.stamp

.PHONY: all deps run test unit api-test api-test-pg api-test-san check-hardening fuzz fuzz-test browser-test bench bench-test fmt fmt-check lint clean openapi

all: $(BUILD)/linli

deps:
	@scripts/deps.sh build

# docs/openapi.json is generated from the route table, the field tables and
# the case kinds (src/api/openapi_gen.c): regenerate it after changing any
# of them; an API test checks the committed file is what the server serves.
openapi: $(BUILD)/linli
	$(BUILD)/linli openapi --out docs/openapi.json

$(BUILD)/linli: $(OBJ) $(BUILD)/obj/src/cli/main.o
	@echo "  LD      $@"
	$(Q)$(CC) $(HARDEN_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The server built with ASan+UBSan from the unit tests' objects, for
# api-test-san.
$(SAN)/linli: $(SAN_OBJ) $(SAN)/obj/src/cli/main.o
	@echo "  LD san  $@"
	$(Q)$(CC) -fsanitize=address,undefined -pie -o $@ $^ $(PKG_LIBS)

$(BUILD)/obj/%.o: %.c $(GEN)/pinyin_table.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(HARDEN_CFLAGS) -MMD -MP -c $< -o $@

$(SAN)/obj/%.o: %.c $(GEN)/pinyin_table.c
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Wno-format-truncation -MMD -MP -c $< -o $@

$(GEN)/pinyin_table.c: tools/gen_pinyin.sh
	@mkdir -p $(GEN)
	tools/gen_pinyin.sh /usr/share/unicode/Unihan_Readings.txt.bz2 > $@.tmp && mv $@.tmp $@

# The UI is built with Vite and precompressed; its files are embedded too.
# `npm install --no-save` installs exactly the committed lock (npm ci refuses
# a lock without the optional platform packages this registry omits).
$(WEB_OUT): $(WEB_SRC)
	@mkdir -p $(BUILD)
	@echo "  WEB     web/dist"
	cd web && npm install --no-audit --no-fund --no-save --loglevel=error && npx vite build --logLevel warn
	find web/dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) -exec gzip -9 -k -f {} \;
	@touch $@

# The common passwords the password policy refuses: John the Ripper's list
# (Debian's john-data) and the Chinese-common ones committed beside the policy.
PW_LISTS := /usr/share/john/password.lst src/domain/accounts/common_passwords_zh.txt
$(GEN)/common_passwords.txt: tools/gen_passwords.sh src/domain/accounts/common_passwords_zh.txt
	@mkdir -p $(GEN)
	$(Q)tools/gen_passwords.sh $(PW_LISTS) > $@.tmp && mv $@.tmp $@

$(GEN)/embedded.c: tools/embed.sh $(EMBED) $(WEB_OUT) $(GEN)/common_passwords.txt
	@mkdir -p $(GEN)
	@echo "  EMBED   $(words $(EMBED)) files + common passwords + web/dist"
	$(Q)tools/embed.sh $(EMBED) $(GEN)/common_passwords.txt $$(find web/dist -type f | sort) > $@.tmp && mv $@.tmp $@

# The sanitizer objects are kept between runs (not intermediate files).
.SECONDARY: $(SAN_OBJ) $(SAN)/obj/src/cli/main.o
define unit_rule
$(SAN)/$(basename $(notdir $(1))): $(1) $$(SAN_OBJ) $$(wildcard tests/unit/*.h)
	@echo "  LD san  $$@"
	$$(Q)$$(CC) $$(ALL_CFLAGS) -Itests/unit $$(SAN_FLAGS) -Wno-format-truncation -o $$@ $$(filter %.c %.o,$$^) $$(PKG_LIBS) -lcmocka
endef
$(foreach t,$(UNIT_SRC),$(eval $(call unit_rule,$(t))))

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-demo.sh

# Lint and the format check come right after the build: they fail fastest.
test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory fmt-check
	@$(MAKE) --no-print-directory check-hardening
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory api-test
	@$(MAKE) --no-print-directory api-test-san
	@$(MAKE) --no-print-directory fuzz-test
	@$(MAKE) --no-print-directory api-test-pg
	@$(MAKE) --no-print-directory browser-test
	@$(MAKE) --no-print-directory bench-test

unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

api-test: $(BUILD)/linli
	LINLI_BIN=$(abspath $(BUILD)/linli) node --test --test-concurrency=2 tests/api/

# The binary's hardening, read back from the ELF file (and the check's own
# self-test: an unhardened program must fail it).
check-hardening: $(BUILD)/linli
	@scripts/check-hardening.sh --self-test
	@scripts/check-hardening.sh $(BUILD)/linli

# The API tests on SQLite against the ASan+UBSan server ($(SAN)/linli; the
# CLI commands the tests run are that binary too). Any report fails the
# run: the first error aborts the process, and every report is also
# written under $(SAN)/reports/, which must stay empty (a report from a
# process the tests did not watch, a leak at exit, still counts).
SAN_REPORTS = $(abspath $(SAN))/reports
api-test-san: $(SAN)/linli
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	@ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1:log_path=$(SAN_REPORTS)/asan \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_REPORTS)/ubsan \
		LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
		LINLI_BIN=$(abspath $(SAN)/linli) LINLI_TEST_SANITIZED=1 \
		node --test --test-concurrency=2 tests/api/; rc=$$?; \
		if [ -n "$$(ls -A $(SAN_REPORTS))" ]; then \
			echo "api-test-san: sanitizer reports:" >&2; head -n 60 $(SAN_REPORTS)/* >&2; rc=1; fi; \
		exit $$rc

# The same API tests on PostgreSQL: a private server (scripts/pg.sh) on its
# own port and data directory, started for the run and stopped after; plus
# the tests only PostgreSQL has (restart, migrate), one at a time: the
# restart test restarts the server under every database on it.
api-test-pg: $(BUILD)/linli
	@scripts/pg.sh start >/dev/null
	@export LINLI_BIN=$(abspath $(BUILD)/linli) LINLI_TEST_PG=$$(scripts/pg.sh url); \
		node --test --test-concurrency=2 tests/api/ && node --test --test-concurrency=1 tests/pg/; \
		rc=$$?; scripts/pg.sh stop; exit $$rc

# libFuzzer targets (tests/fuzz/fuzz_NAME.c, seeds in tests/fuzz/NAME/corpus/)
# over the library built again with clang: ASan+UBSan and coverage.
# `make fuzz` runs each for FUZZ_SECONDS (2 at a time) on a copy of its
# corpus under $(FUZZ)/work/ and prints executions and crashes per target;
# a crash leaves its input in $(FUZZ)/crashes/ and fails the run.
# `make test` runs each for FUZZ_TEST_SECONDS.
FUZZ       := $(BUILD)/fuzz
FUZZ_CC    ?= clang
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	      -fno-omit-frame-pointer
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,$(FUZZ)/%,$(FUZZ_SRC))
FUZZ_OBJ   := $(patsubst %.c,$(FUZZ)/obj/%.o,$(SRC_LIB) $(GEN_SRC))
FUZZ_SECONDS ?= 600
FUZZ_TEST_SECONDS ?= 15

$(FUZZ)/obj/%.o: %.c $(GEN)/pinyin_table.c
	@mkdir -p $(dir $@)
	@echo "  CC fuzz $<"
	$(Q)$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@

$(FUZZ)/liblinli.a: $(FUZZ_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ)/liblinli.a
	@echo "  LD fuzz $@"
	$(Q)$(FUZZ_CC) $(ALL_CFLAGS) $(subst fuzzer-no-link,fuzzer,$(FUZZ_FLAGS)) -o $@ $< $(FUZZ)/liblinli.a $(PKG_LIBS)

.SECONDARY: $(FUZZ_OBJ)

fuzz: $(FUZZ_BIN)
	@scripts/deps.sh fuzz
	@scripts/fuzz.sh $(FUZZ) $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-test: $(FUZZ_BIN)
	@scripts/fuzz.sh $(FUZZ) $(FUZZ_TEST_SECONDS) $(FUZZ_BIN)

browser-test: $(BUILD)/linli
	LINLI_BIN=$(abspath $(BUILD)/linli) node --test --test-concurrency=1 tests/browser/

# The benchmark's baselines: a bare libmicrohttpd server and raw SQLite
# durable commits (bench/run.sh, bench/suite.mjs).
BENCH_CFLAGS := $(CSTD) -O2 -Wall -Wextra -Werror
$(BUILD)/bench/hello: bench/hello.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(BENCH_CFLAGS) -Wno-unused-parameter -o $@ $< $(shell pkg-config --cflags --libs libmicrohttpd)

$(BUILD)/bench/raw_commit: bench/raw_commit.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $< $(shell pkg-config --cflags --libs sqlite3)

bench: all $(BUILD)/bench/hello $(BUILD)/bench/raw_commit
	@scripts/deps.sh bench
	bench/run.sh

# The bench tools' own tests (load.mjs against a small server, report.mjs on
# a fixture, raw_commit for a second): a few seconds, no benchmark figures.
bench-test: $(BUILD)/bench/raw_commit
	LINLI_RAW_COMMIT=$(abspath $(BUILD)/bench/raw_commit) node --test --test-concurrency=1 tests/bench/

FMT_FILES = $(shell find src tests/unit tests/fuzz bench -name '*.[ch]' | sort)

fmt:
	clang-format -i $(FMT_FILES)

fmt-check:
	@scripts/deps.sh lint
	clang-format --dry-run --Werror $(FMT_FILES)

# clang-tidy runs the checks named in .clang-tidy over every C file under
# src/, with the build's flags (build/gen/ comes from `all`), two files at a
# time; a file's output is shown only when it has findings.
TIDY_FLAGS = $(CSTD) -Isrc -I$(GEN) $(PKG_CFLAGS)
TIDY_SRC  = $(shell find src -name '*.c' | sort)

# Lint: the layers (api/ reaches data only through the domain), cppcheck
# and clang-tidy.
lint: all
	@scripts/deps.sh lint
	@scripts/layers.sh
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
		--suppress=unknownMacro -Isrc src
	@echo "  TIDY    $(words $(TIDY_SRC)) files"
	$(Q)printf '%s\n' $(TIDY_SRC) | xargs -P2 -n1 sh -c \
		'out=$$(clang-tidy --quiet "$$0" -- $(TIDY_FLAGS) 2>&1) || { printf "%s\n" "$$out" | grep -v " warnings generated\.$$"; exit 1; }' \
		|| { echo "lint: clang-tidy found problems (above; checks in .clang-tidy)" >&2; exit 1; }

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
