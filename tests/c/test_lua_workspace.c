/* test_lua_workspace.c - a model handle's batches on one thread keep its
 * workspace (lmodel.c's tcl_batch_run_here), unless a text was over 16 MiB
 * (release_huge_ws).
 *
 * On one thread, predict_batch and label_records predict with the
 * handle's workspace, the one predict uses, instead of a batch's own made
 * and freed by each call. Their results are the same either way
 * (tests/lua/model_spec.lua checks them); what tells the two apart is the
 * allocation: once the workspace has grown to a batch's texts, the same
 * batch again allocates nothing in the library. tests/c/oom.h's hook
 * sees the library's allocations (and the C library's); Lua's go
 * through an allocator that calls glibc's directly, out of its sight.
 * Run from the source tree's root (the shipped model). */
#include <stdlib.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#include "oom.h"

int luaopen_textclass(lua_State *L);

#ifdef HAVE_OOM_HOOK
/* Lua's allocator, out of the hook's sight (oom.h hooks no free). */
static void *uncounted_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return __libc_realloc(ptr, nsize);
}

/* A state with the module, the shipped model in global m, a few texts
 * (long, short, empty) in global texts and as label_records' docs. */
static lua_State *state_with_model(void) {
  lua_State *L = lua_newstate(uncounted_alloc, NULL);
  if (!L) return NULL;
  luaL_openlibs(L);
  luaL_requiref(L, "textclass", luaopen_textclass, 1);
  lua_pop(L, 1);
  if (luaL_dostring(L, "m = assert(textclass.load('models/news.model'))\n"
                       "texts = { 'The striker scored a late goal and the team won the cup.',\n"
                       "  'Ransomware gang leaks data stolen from the hospital', '', 'vote',\n"
                       "  string.rep('Parliament passed the budget after a long debate. ', 40) }\n"
                       "docs = {}\n"
                       "for i, t in ipairs(texts) do docs[i] = { id = 'd' .. i, text = t } end") !=
      LUA_OK) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    lua_close(L);
    return NULL;
  }
  return L;
}

/* The allocations of the library the chunk makes, 0 when it makes none:
 * a sweep fails each in turn (a failure must end the chunk as a memory
 * error, or not at all); the state carries over from run to run, so a
 * chunk that grows the workspace is counted low. -1 when the sweep does
 * not finish. */
static long allocations_of(lua_State *L, const char *chunk) {
  oom_sweep s = oom_sweep_start(chunk, 1000);
  while (oom_next(&s)) {
    int status, rc;
    oom_arm(&s);
    status = luaL_dostring(L, chunk);
    rc = status == LUA_OK ? TC_OK : strstr(lua_tostring(L, -1), "not enough memory") ? TC_ENOMEM : TC_EIO;
    if (oom_failed(&s, rc, status == LUA_OK ? NULL : lua_tostring(L, -1))) lua_pop(L, 1);
  }
  return s.done ? oom_sweep_finish(&s, 0) : -1;
}

TEST(one_thread_batches_keep_the_handles_workspace) {
  lua_State *L = state_with_model();
  CHECK(L != NULL);
  if (!L) return;
  /* the first batch makes the handle's workspace and grows it to its texts */
  CHECK(allocations_of(L, "assert(#m:predict_batch(texts) == #texts)") > 0);
  CHECK_EQ_INT(allocations_of(L, "assert(#m:predict_batch(texts) == #texts)"), 0);
  CHECK_EQ_INT(allocations_of(L, "assert(#m:predict_batch(texts, { threads = 1 }) == #texts)"), 0);
  CHECK_EQ_INT(allocations_of(L, "assert(m:predict(texts[5]))"), 0);
  CHECK_EQ_INT(allocations_of(L, "assert(m:label_records(docs, {}, 'tsv', { threads = 1 }))"), 0);
  /* the count is not blind: two threads make a workspace each, every call */
  CHECK(allocations_of(L, "assert(#m:predict_batch(texts, { threads = 2 }) == #texts)") > 0);
  CHECK(allocations_of(L, "assert(m:label_records(docs, {}, 'tsv', { threads = 2 }))") > 0);
  lua_close(L);
}

/* A call on a text over 16 MiB frees the workspace it grew (a 210 MB
 * text's 770 MB had stayed until the model was closed): the next call
 * makes one again, where it allocated nothing after a short text. */
TEST(a_huge_texts_workspace_is_not_kept) {
  /* (a batch: predict's failure would be its nil, message, not an error) */
  static const char SHORT[] = "assert(#m:predict_batch({ texts[1] }) == 1)";
  lua_State *L = state_with_model();
  CHECK(L != NULL);
  if (!L) return;
  CHECK(luaL_dostring(L, "huge = string.rep('Parliament passed the budget. ', 560000)\n"
                         "assert(#huge > 16 * 1024 * 1024)") == LUA_OK);
  CHECK(allocations_of(L, SHORT) > 0);
  CHECK_EQ_INT(allocations_of(L, SHORT), 0);
  CHECK(luaL_dostring(L, "assert(m:predict(huge))") == LUA_OK);
  CHECK(allocations_of(L, SHORT) > 0);
  CHECK_EQ_INT(allocations_of(L, SHORT), 0);
  CHECK(luaL_dostring(L, "assert(#m:predict_batch({ texts[1], huge }) == 2)") == LUA_OK);
  CHECK(allocations_of(L, SHORT) > 0);
  CHECK(luaL_dostring(L, "assert(m:explain(huge))") == LUA_OK);
  CHECK(allocations_of(L, SHORT) > 0);
  /* a text of 16 MiB keeps it */
  CHECK(luaL_dostring(L, "assert(m:predict(huge:sub(1, 16 * 1024 * 1024)))") == LUA_OK);
  CHECK_EQ_INT(allocations_of(L, SHORT), 0);
  lua_close(L);
}
#endif

int main(void) {
#ifdef HAVE_OOM_HOOK
  RUN(one_thread_batches_keep_the_handles_workspace);
  RUN(a_huge_texts_workspace_is_not_kept);
#else
  (void)check_current; /* (no test runs to name) */
  printf("SKIPPED test_lua_workspace: no allocation hook (AddressSanitizer, or not glibc)\n");
#endif
  return check_report();
}
