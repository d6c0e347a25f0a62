/*
 * consent.c - the consent rules of the privacy design: an agency camera is
 * always open; a private one only with consent that has started and not
 * expired, and with the "incident-only" scope only while an open incident
 * lies within its range.
 */
#include "app/consent.h"

#include <stdio.h>

enum consent_gate consent_gate(const struct layout_feed *lf, long long now_s,
                               bool incident_in_range, char *text, size_t n)
{
    const struct layout_consent *c = &lf->consent;
    text[0] = '\0';
    if (lf->owner != LAYOUT_OWNER_PRIVATE)
        return CONSENT_OPEN;
    if (!c->present) {
        snprintf(text, n, "NO CONSENT ON FILE · private camera not connected");
        return CONSENT_REFUSED;
    }
    if (now_s < c->granted_epoch) {
        snprintf(text, n, "CONSENT NOT YET VALID · from %s · %s", c->granted, c->ref);
        return CONSENT_REFUSED;
    }
    if (now_s >= c->expires_epoch) {
        snprintf(text, n, "CONSENT EXPIRED %s · %s", c->expires, c->ref);
        return CONSENT_REFUSED;
    }
    if (c->scope == LAYOUT_CONSENT_INCIDENT_ONLY && !incident_in_range) {
        snprintf(text, n, "INCIDENT-ONLY CAMERA · shown while an incident is in range · %s",
                 c->ref);
        return CONSENT_STANDBY;
    }
    return CONSENT_OPEN;
}
