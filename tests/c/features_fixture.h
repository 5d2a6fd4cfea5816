/* features_fixture.h - seven short news-like sentences (written for these
 * tests, not taken from any corpus) shared by the extractor tests: shared
 * words across topics, punctuation, accents and a Han word, so fitting,
 * vectorising and saving all have something to work on. */
#ifndef TC_FEATURES_FIXTURE_H
#define TC_FEATURES_FIXTURE_H

static const char *corpus[] = {
    "Ministers met in Brussels to discuss the budget; the budget vote is on Monday.",
    "The striker scored twice as the home side won the cup final on Saturday.",
    "Hackers exploited a zero-day flaw in the VPN software, the vendor said.",
    "The vendor released a patch for the flaw after hackers targeted banks.",
    "Voters in Brussels back the budget; ministers welcome the vote.",
    "Caf\xc3\xa9 owners in M\xc3\xbcnchen and \xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd report a cup shortage!",
    "The home side lost the final; the striker was injured on Saturday.",
};
#define N_CORPUS 7

/* Hash flooding: the Thue-Morse word of 1024 letters ('x' where i has an
 * even number of 1 bits, else 'y') and its complement have the same
 * polynomial hash mod 2^64 for any odd base (the product of 1 - B^(2^k),
 * k < 10, has at least 64 factors 2), so the word n-grams made of them
 * share one hash too, n-grams of one length each. Gram k of
 * `words` words (k < 2^words): word j is the complement when bit
 * words-1-j of k is set, so gram order is byte order. dst holds
 * words * 1025 bytes; returns the length. */
#define TM_LEN 1024
static inline size_t thue_morse_gram(char *dst, unsigned k, unsigned words) {
  unsigned j, i, odd, b;
  for (j = 0; j < words; j++) {
    unsigned flip = (k >> (words - 1 - j)) & 1;
    for (i = 0; i < TM_LEN; i++) {
      for (odd = 0, b = i; b; b &= b - 1) odd ^= 1;
      dst[j * (TM_LEN + 1) + i] = odd ^ flip ? 'y' : 'x';
    }
    if (j + 1 < words) dst[j * (TM_LEN + 1) + TM_LEN] = ' ';
  }
  return words * (TM_LEN + 1) - 1;
}

#endif
