/*
 * extractor.c - extractor lifetime: options, stop words, vocabulary.
 *
 * An extractor is built once and then only read, so any number of threads
 * may tokenise with it, each with its own workspace. The stop word set is
 * compiled here with a private workspace (custom words are normalised and
 * tokenised exactly as text will be).
 */
#include <stdlib.h>

#include "internal.h"

int tc_extractor_new(const tc_options *o, tc_extractor **out, tc_diag *diag) {
  const char *msg;
  tc_extractor *ex;
  tc_workspace *ws;
  int rc;
  if (!out) return tci_fail(diag, TC_EINVAL, "extractor: no output given");
  *out = NULL;
  if (!o) return tci_fail(diag, TC_EINVAL, "extractor: no options given");
  if ((msg = tc_options_check(o))) return tci_fail(diag, TC_EINVAL, "options: %s", msg);
  ex = calloc(1, sizeof *ex);
  if (!ex) return tci_fail(diag, TC_ENOMEM, "extractor: out of memory");
  if ((rc = tc_workspace_new(&ws))) {
    free(ex);
    return tci_fail(diag, rc, "extractor: out of memory");
  }
  ex->opt = *o;
  rc = tci_stopset_build(&ex->stop, o, ws, diag);
  tc_workspace_free(ws);
  if (rc) {
    free(ex);
    return rc;
  }
  /* The copy must not borrow the caller's list: point it at the set's own
   * copy of the words as given (not the normalised ones: re-tokenising a
   * normalised word need not give it back, e.g. "x@bbc.co.uk" -> "bbc.co.uk"
   * -> three tokens, so saving those would not round-trip). */
  if (o->stopword_mode == TC_STOPWORDS_CUSTOM) {
    ex->opt.stopwords = (const char *const *)ex->stop.given;
    ex->opt.n_stopwords = ex->stop.n_given;
  }
  ex->vocab = NULL;
  *out = ex;
  return TC_OK;
}

void tc_extractor_free(tc_extractor *ex) {
  if (!ex) return;
  tci_stopset_free(&ex->stop);
  tci_vocab_free(ex->vocab);
  free(ex);
}

const tc_options *tc_extractor_options(const tc_extractor *ex) {
  return ex ? &ex->opt : NULL;
}
