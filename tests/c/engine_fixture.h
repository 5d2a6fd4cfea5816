/* engine_fixture.h - tiny labelled texts for the engine tests (written for
 * these tests, not taken from any corpus), and a helper that loads them.
 *
 * Three topics, 16 sentences each. Topic words recur across sentences
 * so that the default min_df = 2 keeps a useful vocabulary. */
#ifndef TC_ENGINE_FIXTURE_H
#define TC_ENGINE_FIXTURE_H

#include <string.h>

#include "textclass.h"

typedef struct fixture_doc {
  const char *label;
  const char *text;
} fixture_doc;

static const fixture_doc FIXTURE[] = {
  {"sport", "The striker scored twice and the team won the football match."},
  {"sport", "A late goal gave the home team victory in the league match."},
  {"sport", "The coach praised the players after the cup final win."},
  {"sport", "Tennis champion wins the final set and lifts the trophy."},
  {"sport", "The football club signed a new striker before the season."},
  {"sport", "Fans cheered as the team scored a goal in extra time."},
  {"sport", "The league title race tightens after the derby match draw."},
  {"sport", "The goalkeeper saved a penalty and the team held on to win."},
  {"sport", "Olympic sprinter breaks the record to win gold in the final."},
  {"sport", "The coach dropped two players for the cup match on Sunday."},
  {"sport", "Cricket captain scored a century as the team won the test."},
  {"sport", "The players trained hard before the season opener match."},
  {"sport", "The champion boxer retained his title after twelve rounds."},
  {"sport", "A penalty in the final minute won the cup for the club."},
  {"sport", "The season ends with the team top of the league table."},
  {"sport", "Injured striker misses the match, the coach confirmed."},
  {"politics", "The parliament passed the budget after a long debate."},
  {"politics", "The prime minister faces a vote on the new tax law."},
  {"politics", "Opposition leaders criticised the government over the budget."},
  {"politics", "The election campaign enters its final week with rallies."},
  {"politics", "Voters head to the polls in the presidential election."},
  {"politics", "The minister resigned after the parliament vote on reform."},
  {"politics", "The government announced a reform of the tax system."},
  {"politics", "Senators debate the law before the final vote in congress."},
  {"politics", "The president signed the law after congress approved it."},
  {"politics", "Party leaders clash over the election result and the budget."},
  {"politics", "The coalition government survived a vote of no confidence."},
  {"politics", "The opposition party promised tax cuts in its campaign."},
  {"politics", "Parliament debates the reform bill proposed by the minister."},
  {"politics", "The president met party leaders to discuss the budget."},
  {"politics", "A new law on elections was approved by the parliament."},
  {"politics", "The prime minister called an early election for the spring."},
  {"cyber", "Hackers breached the company network and stole passwords."},
  {"cyber", "A ransomware attack encrypted files at the hospital network."},
  {"cyber", "Security researchers found a vulnerability in the router firmware."},
  {"cyber", "The malware spread through phishing emails with attachments."},
  {"cyber", "A patch fixes the critical vulnerability exploited by hackers."},
  {"cyber", "The data breach exposed millions of customer passwords."},
  {"cyber", "Ransomware gang demands payment after the network attack."},
  {"cyber", "Phishing campaign targets bank customers with fake login pages."},
  {"cyber", "Researchers warn of malware hidden in a browser extension."},
  {"cyber", "Attackers exploited a zero-day vulnerability in the server software."},
  {"cyber", "The security team detected malware on the company servers."},
  {"cyber", "Hackers used stolen passwords to access the email accounts."},
  {"cyber", "A botnet of hacked routers launched a network attack."},
  {"cyber", "Vendors released a security patch for the server vulnerability."},
  {"cyber", "The breach began with a phishing email to an employee."},
  {"cyber", "Ransomware attack forces the city to shut its network."},
};

#define FIXTURE_N (sizeof FIXTURE / sizeof FIXTURE[0])

/* A dataset of the fixture (one label each), or NULL. */
static tc_dataset *fixture_dataset(void) {
  tc_dataset *ds;
  size_t i;
  if (tc_dataset_new(&ds)) return NULL;
  for (i = 0; i < FIXTURE_N; i++) {
    const char *lab = FIXTURE[i].label;
    if (tc_dataset_add(ds, FIXTURE[i].text, strlen(FIXTURE[i].text), &lab, 1)) {
      tc_dataset_free(ds);
      return NULL;
    }
  }
  return ds;
}

#endif /* TC_ENGINE_FIXTURE_H */
