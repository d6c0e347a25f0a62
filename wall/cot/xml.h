/*
 * xml.h - the libexpat setup shared by the CoT and the PIDF-LO readers (inside
 * wall/cot only): a parser that refuses any DOCTYPE or entity declaration,
 * and the first error of a parse.
 */
#ifndef TESSERA_COT_XML_H
#define TESSERA_COT_XML_H

#include <stddef.h>

#include <expat.h>

/* The first member of every parse context handed to cot_xml_create(). */
struct cot_xml {
    XML_Parser xp;
    int rc;     /* first error, 0 while fine */
    char *err;  /* where the error text goes */
    size_t errlen;
};

/* Records the first error (printf-style text), stops the parser and returns
 * rc. */
int cot_xml_fail(struct cot_xml *x, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Creates x->xp for a context whose first member is x, with the element
 * handlers given; DOCTYPEs and entity declarations stop it with -EPERM.
 * Returns 0 or -ENOMEM. */
int cot_xml_create(struct cot_xml *x, XML_StartElementHandler start,
                   XML_EndElementHandler end);

/* Parses len bytes in one go and frees the parser.  Returns x->rc, or
 * -EINVAL with "XML: reason at line L column C" for malformed XML. */
int cot_xml_run(struct cot_xml *x, const char *buf, size_t len);

#endif
