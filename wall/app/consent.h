/*
 * consent.h - whether a privately owned camera may be shown now.  Pure: the
 * time and whether an open incident is in the camera's range are passed in.
 */
#ifndef TESSERA_CONSENT_H
#define TESSERA_CONSENT_H

#include <stdbool.h>
#include <stddef.h>

#include "layout/layout.h"

enum consent_gate {
    CONSENT_OPEN = 0,     /* may connect and be shown */
    CONSENT_REFUSED,      /* no consent on file, not yet valid, or expired */
    CONSENT_STANDBY,      /* incident-only: no open incident in range now */
};

/* Decides the gate of feed lf at now_s (seconds since the epoch, UTC) and
 * writes the tile text saying why it is closed ("CONSENT EXPIRED 2027-01-05 ·
 * W-2026-0012") into text (empty when open). */
enum consent_gate consent_gate(const struct layout_feed *lf, long long now_s,
                               bool incident_in_range, char *text, size_t n);

#endif
