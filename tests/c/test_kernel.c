/* test_kernel.c - a kernel model's decision values are libsvm's, bit for
 * bit.
 *
 * kernel.c computes them itself (tci_kernel_decide, tci_kernel_decide_label)
 * in libsvm 3.24's floating-point order; kernel models predicted through
 * svm_predict_values before, and must give the same bits. Here random pools
 * (random sparse vectors, some empty, signed values of several magnitudes;
 * each label a random subset of the pool in random order, coefficients of
 * both signs) are handed to libsvm as it was handed them: per label, a
 * two-class C-SVC model whose SV pointers point into the pool, and the
 * decision values of random vectors (some empty, some a pooled vector) are
 * compared with memcmp.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libsvm/svm.h>

#include "check.h"
#include "internal.h"

#define MAX_INDEX 40  /* indices 1..40: vectors of up to 25 overlap often */
#define MAX_NNZ 25
#define N_POOL 30
#define N_LAB 4
#define N_MODELS 40
#define N_PROBES 200

static uint64_t rng_state;

static uint64_t rnd(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double rnd_unit(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

/* A value of either sign whose magnitude spans 2^-6 .. 2^6. */
static double rnd_value(void) {
  return (rnd() & 1 ? -1 : 1) * ldexp(0.5 + rnd_unit(), (int)(rnd() % 13) - 6);
}

/* A random sparse vector in x (ascending indices, ended by index -1);
 * returns the nodes written, terminator included. */
static size_t rnd_vector(struct svm_node *x) {
  size_t n = 0;
  int j, want = (int)(rnd() % (MAX_NNZ + 1));
  for (j = 1; j <= MAX_INDEX; j++)
    if ((int)(rnd() % MAX_INDEX) < want) {
      x[n].index = j;
      x[n++].value = rnd_value();
    }
  x[n].index = -1;
  x[n].value = 0;
  return n + 1;
}

static tci_kernel *rnd_kernel(void) {
  tci_kernel *k = calloc(1, sizeof *k);
  uint32_t perm[N_POOL];
  size_t i, l, at = 0;
  if (!k) return NULL;
  k->gamma = 0.05 + 2 * rnd_unit();
  k->n_sv = N_POOL;
  k->nodes = malloc(N_POOL * (MAX_INDEX + 1) * sizeof *k->nodes);
  k->sv_start = malloc(N_POOL * sizeof *k->sv_start);
  k->n_label_sv = calloc(N_LAB, sizeof *k->n_label_sv);
  k->sv_idx = calloc(N_LAB, sizeof *k->sv_idx);
  k->coef = calloc(N_LAB, sizeof *k->coef);
  k->rho = calloc(N_LAB, sizeof *k->rho);
  if (!k->nodes || !k->sv_start || !k->n_label_sv || !k->sv_idx || !k->coef || !k->rho) goto fail;
  for (i = 0; i < N_POOL; i++) {
    k->sv_start[i] = at;
    at += rnd_vector(k->nodes + at);
  }
  k->n_nodes = at;
  for (l = 0; l < N_LAB; l++) {
    /* a random subset in random order: a prefix of a shuffle (none for a
     * label in eight, as for a constant label) */
    size_t n = rnd() % 8 ? 1 + rnd() % N_POOL : 0;
    for (i = 0; i < N_POOL; i++) perm[i] = (uint32_t)i;
    for (i = N_POOL - 1; i > 0; i--) {
      size_t j = rnd() % (i + 1);
      uint32_t t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    k->sv_idx[l] = malloc((n + 1) * sizeof **k->sv_idx);
    k->coef[l] = malloc((n + 1) * sizeof **k->coef);
    if (!k->sv_idx[l] || !k->coef[l]) goto fail;
    for (i = 0; i < n; i++) {
      k->sv_idx[l][i] = perm[i];
      k->coef[l][i] = rnd_value();
    }
    k->n_label_sv[l] = n;
    k->rho[l] = rnd_value();
  }
  if (tci_kernel_check(k, N_LAB, TC_EINVAL, NULL) == TC_OK) return k;
fail:
  tci_kernel_free(k, N_LAB);
  return NULL;
}

/* Label l of k as libsvm was handed it: a two-class C-SVC model over the
 * pool, label {+1, -1}, nSV[0] the positive coefficients (libsvm sums all
 * l vectors in order whatever the split). Views into k: free with
 * free_libsvm_view. */
static struct svm_model *libsvm_view(const tci_kernel *k, size_t l) {
  struct svm_model *s = calloc(1, sizeof *s);
  size_t n = k->n_label_sv[l], j, n_pos = 0;
  if (!s) return NULL;
  s->SV = malloc((n + 1) * sizeof *s->SV);
  s->sv_coef = malloc(sizeof *s->sv_coef);
  s->label = malloc(2 * sizeof *s->label);
  s->nSV = malloc(2 * sizeof *s->nSV);
  if (s->SV && s->sv_coef && s->label && s->nSV) {
    for (j = 0; j < n; j++) {
      s->SV[j] = k->nodes + k->sv_start[k->sv_idx[l][j]];
      n_pos += k->coef[l][j] > 0;
    }
    s->param.svm_type = C_SVC;
    s->param.kernel_type = RBF;
    s->param.gamma = k->gamma;
    s->nr_class = 2;
    s->l = (int)n;
    s->sv_coef[0] = k->coef[l];
    s->rho = k->rho + l;
    s->label[0] = +1;
    s->label[1] = -1;
    s->nSV[0] = (int)n_pos;
    s->nSV[1] = (int)(n - n_pos);
  }
  return s;
}

static void free_libsvm_view(struct svm_model *s) {
  if (!s) return;
  free(s->SV);
  free(s->sv_coef);
  free(s->label);
  free(s->nSV);
  free(s);
}

/* Every probe of one random kernel: returns the decision values that
 * differ from libsvm's in any bit (both of ours: every label at once, and
 * one label alone). */
static size_t compare_one_kernel(size_t *n_compared) {
  tci_kernel *k = rnd_kernel();
  struct svm_model *s[N_LAB];
  struct svm_node x[MAX_INDEX + 1];
  double kv[N_POOL], dec[N_LAB];
  size_t p, l, differ = 0;
  int ok = k != NULL;
  for (l = 0; l < N_LAB; l++) ok &= (s[l] = k ? libsvm_view(k, l) : NULL) != NULL && s[l]->nSV;
  CHECK(ok);
  for (p = 0; ok && p < N_PROBES; p++) {
    if (p % 10 == 0) { /* a pooled vector itself: distance 0 to it */
      const struct svm_node *sv = k->nodes + k->sv_start[rnd() % N_POOL];
      size_t i = 0;
      do x[i] = sv[i]; while (sv[i++].index != -1);
    } else {
      rnd_vector(x);
    }
    tci_kernel_decide(k, N_LAB, x, kv, dec);
    for (l = 0; l < N_LAB; l++) {
      double want = 0, alone;
      svm_predict_values(s[l], x, &want);
      alone = tci_kernel_decide_label(k, l, x, kv);
      differ += memcmp(&dec[l], &want, sizeof want) != 0;
      differ += memcmp(&alone, &want, sizeof want) != 0;
      *n_compared += 2;
    }
  }
  for (l = 0; l < N_LAB; l++) free_libsvm_view(s[l]);
  tci_kernel_free(k, N_LAB);
  return differ;
}

TEST(decision_values_are_libsvms_bit_for_bit) {
  size_t m, differ = 0, compared = 0;
  rng_state = 0x2545F4914F6CDD1Dull;
  for (m = 0; m < N_MODELS; m++) differ += compare_one_kernel(&compared);
  CHECK_EQ_INT(differ, 0);
  CHECK_EQ_INT(compared, N_MODELS * N_PROBES * N_LAB * 2);
}

int main(void) {
  RUN(decision_values_are_libsvms_bit_for_bit);
  return check_report();
}
