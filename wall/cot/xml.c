/*
 * xml.c - the guarded libexpat parser of wall/cot (see xml.h): no DOCTYPE, no
 * entity declarations, so no entity expansion of any kind.
 */
#include "cot/xml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int cot_xml_fail(struct cot_xml *x, int rc, const char *fmt, ...)
{
    va_list ap;
    if (x->rc)
        return rc;
    x->rc = rc;
    va_start(ap, fmt);
    vsnprintf(x->err, x->errlen, fmt, ap);
    va_end(ap);
    XML_StopParser(x->xp, XML_FALSE);
    return rc;
}

static void XMLCALL cot__doctype(void *opaque, const XML_Char *name,
                                 const XML_Char *sysid, const XML_Char *pubid,
                                 int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    cot_xml_fail(opaque, -EPERM, "DOCTYPE refused (no entities allowed)");
}

static void XMLCALL cot__entity(void *opaque, const XML_Char *name, int is_param,
                                const XML_Char *value, int value_len,
                                const XML_Char *base, const XML_Char *sysid,
                                const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base;
    (void)sysid, (void)pubid, (void)notation;
    cot_xml_fail(opaque, -EPERM, "entity declaration refused");
}

int cot_xml_create(struct cot_xml *x, XML_StartElementHandler start,
                   XML_EndElementHandler end)
{
    x->rc = 0;
    if (!(x->xp = XML_ParserCreate("UTF-8")))
        return -ENOMEM;
    XML_SetUserData(x->xp, x);
    XML_SetElementHandler(x->xp, start, end);
    XML_SetStartDoctypeDeclHandler(x->xp, cot__doctype);
    XML_SetEntityDeclHandler(x->xp, cot__entity);
    XML_SetParamEntityParsing(x->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    return 0;
}

int cot_xml_run(struct cot_xml *x, const char *buf, size_t len)
{
    if (XML_Parse(x->xp, buf, (int)len, XML_TRUE) != XML_STATUS_OK && !x->rc) {
        x->rc = -EINVAL;
        snprintf(x->err, x->errlen, "XML: %s at line %lu column %lu",
                 XML_ErrorString(XML_GetErrorCode(x->xp)),
                 (unsigned long)XML_GetCurrentLineNumber(x->xp),
                 (unsigned long)XML_GetCurrentColumnNumber(x->xp) + 1);
    }
    XML_ParserFree(x->xp);
    x->xp = NULL;
    return x->rc;
}
