/*
 * test_consent.c - the consent gate, table-driven over owner, dates, scope
 * and incidents, with the tile text each case shows.
 */
#include "app/consent.h"
#include "check.h"

#define DAY 86400LL
/* 2026-01-05 and the day after 2027-01-05, 00:00 UTC */
#define GRANTED 1767571200LL
#define AFTER_EXPIRY (1799107200LL + DAY)

static const struct {
    enum layout_owner owner;
    bool consent;
    enum layout_consent_scope scope;
    long long now;
    bool incident;
    enum consent_gate want;
    const char *text;
} cases[] = {
    {LAYOUT_OWNER_AGENCY, false, LAYOUT_CONSENT_LIVE, GRANTED, false, CONSENT_OPEN, ""},
    {LAYOUT_OWNER_PRIVATE, false, LAYOUT_CONSENT_LIVE, GRANTED, false, CONSENT_REFUSED,
     "NO CONSENT ON FILE · private camera not connected"},
    {LAYOUT_OWNER_PRIVATE, true, LAYOUT_CONSENT_LIVE, GRANTED - 1, false, CONSENT_REFUSED,
     "CONSENT NOT YET VALID · from 2026-01-05 · W-2026-0012"},
    {LAYOUT_OWNER_PRIVATE, true, LAYOUT_CONSENT_LIVE, GRANTED, false, CONSENT_OPEN, ""},
    {LAYOUT_OWNER_PRIVATE, true, LAYOUT_CONSENT_LIVE, AFTER_EXPIRY - 1, false, CONSENT_OPEN, ""},
    {LAYOUT_OWNER_PRIVATE, true, LAYOUT_CONSENT_LIVE, AFTER_EXPIRY, false, CONSENT_REFUSED,
     "CONSENT EXPIRED 2027-01-05 · W-2026-0012"},
    {LAYOUT_OWNER_PRIVATE, true, LAYOUT_CONSENT_INCIDENT_ONLY, GRANTED + DAY, false,
     CONSENT_STANDBY, "INCIDENT-ONLY CAMERA · shown while an incident is in range · W-2026-0012"},
    {LAYOUT_OWNER_PRIVATE, true, LAYOUT_CONSENT_INCIDENT_ONLY, GRANTED + DAY, true,
     CONSENT_OPEN, ""},
    {LAYOUT_OWNER_PRIVATE, true, LAYOUT_CONSENT_INCIDENT_ONLY, AFTER_EXPIRY, true,
     CONSENT_REFUSED, "CONSENT EXPIRED 2027-01-05 · W-2026-0012"},
};

int main(void)
{
    struct check_counts cc = {0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct layout_feed lf = {.id = "shop", .owner = cases[i].owner};
        lf.consent = (struct layout_consent){
            .present = cases[i].consent, .ref = "W-2026-0012", .granted = "2026-01-05",
            .expires = "2027-01-05", .granted_epoch = GRANTED,
            .expires_epoch = AFTER_EXPIRY, .scope = cases[i].scope};
        char text[160];
        CHECK_INT(&cc, consent_gate(&lf, cases[i].now, cases[i].incident, text, sizeof(text)),
                  cases[i].want);
        CHECK_STR(&cc, text, cases[i].text);
    }
    return check_report(&cc);
}
