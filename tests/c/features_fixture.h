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

#endif
