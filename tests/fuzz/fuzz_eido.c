/*
 * fuzz_eido.c - libFuzzer harness for NENA EIDO: the input is parsed as an
 * EIDO document (JSON, PIDF-LO inside) and, separately, as a PIDF-LO
 * document; the incident produced must hold what the overlay allows.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cot/eido.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
    if (!cond)
        abort();
}

static void must_text(const char *s, size_t size)
{
    must(memchr(s, 0, size) != NULL);
    must(ovl_utf8_check(s, strlen(s), NULL) == 0);
    for (const char *p = s; *p; p++)
        must((unsigned char)*p >= 0x20);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eido_result r;
    struct eido_location loc;
    char err[OVL_ERR_MAX];
    if (eido_parse_text((const char *)data, size, &r, err, sizeof err) == 0) {
        const struct ovl_incident_data *d = &r.inc;
        must(d->id[0] != '\0');
        must_text(d->id, sizeof d->id);
        must_text(d->kind, sizeof d->kind);
        must_text(d->status, sizeof d->status);
        must_text(d->address, sizeof d->address);
        must(d->n_units >= 0 && d->n_units <= OVL_UNITS_MAX);
        for (int i = 0; i < d->n_units; i++)
            must_text(d->units[i], sizeof d->units[i]);
        must(!(d->fields & OVL_INC_PRIORITY) ||
             (d->priority >= OVL_PRIORITY_MIN && d->priority <= OVL_PRIORITY_MAX));
        must(!(d->fields & OVL_INC_POS) || (fabs(d->lat) <= 90 && fabs(d->lon) <= 180));
    }
    eido_pidf_parse((const char *)data, size, &loc, err, sizeof err);
    must_text(loc.address, sizeof loc.address);
    must(!loc.has_pos || (fabs(loc.lat) <= 90 && fabs(loc.lon) <= 180));
    return 0;
}
