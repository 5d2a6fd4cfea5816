# textclass - the only build file: make, make test, make install.
# Every knob can be overridden: make CC=clang CFLAGS=-O3 PREFIX=$HOME/.local

CC ?= cc
CLANG ?= clang
CFLAGS ?= -O2 -g
LDFLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=
PKG_CONFIG ?= pkg-config
LUA ?= lua5.4
BUSTED ?= busted
SANITIZE ?=
FUZZ_SECONDS ?= 60

# Debian 12 packages the build, the tests and the benchmarks need; deps
# installs these alone, not what they recommend (Qt, GTK, X11: 1 GB more).
DEB_BUILD = build-essential pkg-config liblua5.4-dev lua5.4 libutf8proc-dev \
            libsvm-dev liblinear-dev lua-cjson lua-filesystem lua-term lua-system
DEB_TEST = lua-busted valgrind clang libclang-rt-14-dev libsvm-tools
DEB_BENCH = liblinear-tools fasttext python3-sklearn python3-snowballstemmer hyperfine time

WARN = -std=c99 -Wall -Wextra -pedantic -Wshadow -Wundef -Wwrite-strings \
       -Wmissing-prototypes -Wstrict-prototypes
# Asked of pkg-config when a recipe first uses them, not when this file is
# read, so that `make deps all` builds on a machine where deps has just
# installed pkg-config and the -dev packages.
pkg_config_once = $(eval $(1) := $$(shell $(PKG_CONFIG) $(2) 2>/dev/null))$($(1))
LUA_CFLAGS = $(call pkg_config_once,LUA_CFLAGS,--cflags lua5.4)
LUA_LIBS = $(call pkg_config_once,LUA_LIBS,--libs lua5.4)
UTF8PROC_CFLAGS = $(call pkg_config_once,UTF8PROC_CFLAGS,--cflags libutf8proc)
ALL_CFLAGS = $(WARN) -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden \
             $(UTF8PROC_CFLAGS) -Icore $(CFLAGS) -MMD -MP
LIBS = -lutf8proc -lsvm -llinear -lpthread -lm

ifneq ($(SANITIZE),)
BUILD ?= build/sanitize
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g
LDFLAGS += -fsanitize=$(SANITIZE)
# The specs run under the stock interpreter, so preload the runtimes.
SAN_PRELOAD = LD_PRELOAD=$(shell $(CC) -print-file-name=libasan.so):$(shell $(CC) -print-file-name=libubsan.so) \
              ASAN_OPTIONS=detect_leaks=0
else
BUILD ?= build
endif

CORE_SRC = $(sort $(wildcard core/*.c))
CORE_OBJ = $(CORE_SRC:core/%.c=$(BUILD)/core/%.o)
LUA_SRC = $(sort $(wildcard lua/*.c))
LUA_OBJ = $(LUA_SRC:lua/%.c=$(BUILD)/lua/%.o)
CTEST_SRC = $(sort $(wildcard tests/c/test_*.c))
CTEST_BIN = $(CTEST_SRC:tests/c/%.c=$(BUILD)/tests/%)
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB = $(BUILD)/libtextclass.a
MODULE = $(BUILD)/textclass.so
CLI = bin/textclass

.PHONY: all deps test test-c test-lua valgrind fuzz bench models demo install uninstall clean

all: $(LIB) $(MODULE) $(CLI)

deps:
	@missing=$$(for p in $(DEB_BUILD) $(DEB_TEST) $(DEB_BENCH); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all packages present"; fi

$(BUILD)/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# tc.default() looks for $$TEXTCLASS_MODEL, then the installed model, then this tree's.
MODEL_PATHS = -DTC_INSTALLED_MODEL='"$(PREFIX)/share/textclass/news.model"' \
              -DTC_SOURCE_MODEL='"$(CURDIR)/models/news.model"'
# ltextclass.o holds PREFIX, so it depends on a stamp named after PREFIX:
# `make install PREFIX=...` after `make` rebuilds it for that PREFIX.
PREFIX_STAMP = $(BUILD)/prefix/$(subst /,_,$(PREFIX))
$(PREFIX_STAMP):
	@rm -rf $(@D) && mkdir -p $(@D) && touch $@
$(BUILD)/lua/ltextclass.o: $(PREFIX_STAMP)
$(BUILD)/lua/%.o: lua/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LUA_CFLAGS) $(MODEL_PATHS) -c $< -o $@

$(LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@.tmp
	ar rcs $@.tmp $^
	mv $@.tmp $@

# The module does not link liblua: the interpreter provides it at load time.
# It exports luaopen_textclass only (the core's tc_ symbols stay inside).
$(MODULE): $(LUA_OBJ) $(LIB)
	$(CC) -shared $(LDFLAGS) -Wl,--exclude-libs,ALL -o $@.tmp $(LUA_OBJ) $(LIB) $(LIBS)
	mv $@.tmp $@

# The launcher runs scripts/textclass.lua with this tree's module and models.
$(CLI): scripts/textclass.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@ROOT@|$(CURDIR)|g' -e 's|@LUA@|$(LUA)|g' -e 's|@BUILD@|$(BUILD)|g' $< > $@.tmp
	chmod +x $@.tmp
	mv $@.tmp $@

$(BUILD)/tests/%: tests/c/%.c $(wildcard tests/c/*.h) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/c $(LDFLAGS) $< $(LIB) $(LIBS) -o $@

# The Lua module's C tests (under memory errors, its allocations): the
# module's objects and liblua linked in (tests/c/test_lua_*.c).
$(BUILD)/tests/test_lua_%: tests/c/test_lua_%.c $(wildcard tests/c/*.h) $(LUA_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LUA_CFLAGS) -Itests/c $(LDFLAGS) $< $(LUA_OBJ) $(LIB) $(LUA_LIBS) $(LIBS) -o $@

# make test: every suite, then one closing "N passed, N failed" line.
test: all $(CTEST_BIN)
	@BUILD=$(BUILD) BUSTED="$(BUSTED)" LUA=$(LUA) SAN_PRELOAD='$(SAN_PRELOAD)' sh tests/run $(CTEST_BIN)

# The C tests under valgrind's memcheck (leaks and invalid accesses fail).
# nouserintercepts leaves the tests' own malloc, the allocation-failure hook
# of tests/c/oom.h, in place: memcheck then watches the allocator it calls.
valgrind: $(CTEST_BIN)
	@BUILD=$(BUILD) VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp --soname-synonyms=somalloc=nouserintercepts" \
	  sh tests/run --c-only $(CTEST_BIN)

# libFuzzer targets, each run for FUZZ_SECONDS from its seed corpus (and its
# tests/fuzz/NAME.dict of tokens, if it has one); fuzz_json_fields for two
# thirds of that, then for a third with its inputs grown past 64 KB
# (FUZZ_EXPAND, a corpus of their own), and fuzz_lines, which runs
# stream.lua (Lua, through the module in $(BUILD)), for a third.
FUZZ_CFLAGS = -std=c99 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined \
              $(UTF8PROC_CFLAGS) -Icore
fuzz: $(MODULE)
	@mkdir -p build/fuzz
	@set -e; third=$$(( ($(FUZZ_SECONDS) + 2) / 3 )); \
	run() { \
	  name=$$1 secs=$$2 run=$$1$$3; \
	  mkdir -p build/fuzz/$$run.corpus; \
	  seeds=tests/fuzz/seeds/$$name; [ -d $$seeds ] || seeds=; \
	  dict=tests/fuzz/$$name.dict; if [ -f $$dict ]; then dict=-dict=$$dict; else dict=; fi; \
	  echo "fuzz: $$run for $${secs}s"; \
	  env $$4 build/fuzz/$$name -max_total_time=$$secs -max_len=65536 -print_final_stats=0 $$dict \
	    -artifact_prefix=build/fuzz/$$run- \
	    build/fuzz/$$run.corpus $$seeds 2>build/fuzz/$$run.log || { tail -40 build/fuzz/$$run.log; exit 1; }; \
	  echo "fuzz: $$run ok: $$(grep -o 'Done [0-9]* runs' build/fuzz/$$run.log | tail -n 1), no crash"; \
	}; \
	for src in $(FUZZ_SRC); do \
	  name=$$(basename $$src .c); \
	  case $$name in \
	  fuzz_json_fields) $(CLANG) $(FUZZ_CFLAGS) $(LUA_CFLAGS) $$src lua/ljson.c $(CORE_SRC) $(LUA_LIBS) $(LIBS) -lstdc++ \
	    -o build/fuzz/$$name; \
	    run $$name $$(( (2 * $(FUZZ_SECONDS) + 2) / 3 )) "" ""; run $$name $$third _expanded FUZZ_EXPAND=1 ;; \
	  fuzz_lines) $(CLANG) $(FUZZ_CFLAGS) $(LUA_CFLAGS) -DTEXTCLASS_BUILD='"$(BUILD)"' $$src $(LUA_LIBS) -lstdc++ \
	    -o build/fuzz/$$name; \
	    run $$name $$third "" "" ;; \
	  *) $(CLANG) $(FUZZ_CFLAGS) $$src $(CORE_SRC) $(LIBS) -lstdc++ -o build/fuzz/$$name; \
	    run $$name $(FUZZ_SECONDS) "" "" ;; \
	  esac; \
	done

bench: all
	sh bench/run

models: all
	$(MAKE) -C models

demo: all
	$(CLI) label --header examples/articles

install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib \
	  $(DESTDIR)$(PREFIX)/lib/lua/5.4 $(DESTDIR)$(PREFIX)/share/lua/5.4/textclass/cli \
	  $(DESTDIR)$(PREFIX)/share/textclass $(DESTDIR)$(PREFIX)/bin
	install -m 644 core/textclass.h $(DESTDIR)$(PREFIX)/include/textclass.h
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libtextclass.a
	install -m 755 $(MODULE) $(DESTDIR)$(PREFIX)/lib/lua/5.4/textclass.so
	for f in lua/textclass/*.lua lua/textclass/cli/*.lua; do [ -e "$$f" ] || continue; \
	  install -m 644 $$f $(DESTDIR)$(PREFIX)/share/lua/5.4/$${f#lua/}; done
	install -m 644 models/news.model $(DESTDIR)$(PREFIX)/share/textclass/news.model
	install -m 644 scripts/textclass.lua $(DESTDIR)$(PREFIX)/share/textclass/textclass.lua
	sed -e 's|@ROOT@|$(PREFIX)|g' -e 's|@LUA@|$(LUA)|g' -e 's|@BUILD@|installed|g' \
	  scripts/textclass.in > $(DESTDIR)$(PREFIX)/bin/textclass
	chmod 755 $(DESTDIR)$(PREFIX)/bin/textclass
	@$(LUA) scripts/lua_path_note.lua '$(PREFIX)'

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/textclass.h $(DESTDIR)$(PREFIX)/lib/libtextclass.a \
	  $(DESTDIR)$(PREFIX)/lib/lua/5.4/textclass.so $(DESTDIR)$(PREFIX)/bin/textclass
	rm -rf $(DESTDIR)$(PREFIX)/share/lua/5.4/textclass $(DESTDIR)$(PREFIX)/share/textclass

clean:
	rm -rf build bin

-include $(CORE_OBJ:.o=.d) $(LUA_OBJ:.o=.d)
