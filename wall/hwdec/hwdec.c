/*
 * hwdec.c - the registry of decode backends (the only place that knows them
 * all), mode parsing and resolution, the "auto" selection, the per-stream
 * capability check, --list-hwdec, and the shared device contexts with their
 * zero-copy bookkeeping.
 */
#include "hwdec/hwdec.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "hwdec/hwdec_priv.h"

/* The registry: the order is the order "auto" tries; sw must stay last. */
static const struct hwdec_driver *const drivers[] = {
    &hwdec_driver_nvdec,
    &hwdec_driver_vaapi,
    &hwdec_driver_sw,
};

#define N_DRIVERS ((int)(sizeof(drivers) / sizeof(drivers[0])))

int hwdec_driver_count(void)
{
    return N_DRIVERS;
}

const struct hwdec_driver *hwdec_driver_at(int i)
{
    return i >= 0 && i < N_DRIVERS ? drivers[i] : NULL;
}

const struct hwdec_driver *hwdec_driver_find(const char *name)
{
    for (int i = 0; name && i < N_DRIVERS; i++)
        if (strcmp(drivers[i]->name, name) == 0)
            return drivers[i];
    return NULL;
}

static const char *const mode_names[] = {"default", "auto", "nvdec", "vaapi", "sw"};

int hwdec_mode_parse(const char *s)
{
    for (int i = HWDEC_MODE_AUTO; s && i <= HWDEC_MODE_SW; i++)
        if (strcmp(s, mode_names[i]) == 0)
            return i;
    return -1;
}

const char *hwdec_mode_name(enum hwdec_mode mode)
{
    return (unsigned)mode <= HWDEC_MODE_SW ? mode_names[mode] : "?";
}

enum hwdec_mode hwdec_mode_resolve(enum hwdec_mode feed, enum hwdec_mode global)
{
    if (feed > HWDEC_MODE_DEFAULT && feed <= HWDEC_MODE_SW)
        return feed;
    if (global > HWDEC_MODE_DEFAULT && global <= HWDEC_MODE_SW)
        return global;
    return HWDEC_MODE_AUTO;
}

int hwdec_candidates(enum hwdec_mode mode, const struct hwdec_driver *const *from,
                     const struct hwdec_driver **list, int max)
{
    int n = 0;
    bool have_sw = false;
    for (int i = 0; (from ? from[i] != NULL : i < N_DRIVERS) && n < max - 1; i++) {
        const struct hwdec_driver *d = from ? from[i] : drivers[i];
        bool wanted = mode == HWDEC_MODE_AUTO || mode == HWDEC_MODE_DEFAULT ||
                      d->mode == mode;
        if (d->mode == HWDEC_MODE_SW)
            have_sw = true;
        else if (wanted)
            list[n++] = d;
    }
    if (max > 0 && (have_sw || !from))
        list[n++] = &hwdec_driver_sw;
    return n;
}

/* Appends "name: reason" to why, "; "-separated. */
static void add_reason(char *why, size_t n, const char *name, const char *reason)
{
    size_t len = strlen(why);
    if (len + 1 >= n)
        return;
    snprintf(why + len, n - len, "%s%s: %s", len ? "; " : "", name, reason);
}

const struct hwdec_driver *hwdec_select(enum hwdec_mode mode,
                                        const struct hwdec_driver *const *from,
                                        hwdec_probe_fn probe, void *opaque,
                                        char *why, size_t n)
{
    const struct hwdec_driver *list[16];
    int count = hwdec_candidates(mode, from, list, 16);
    if (n)
        why[0] = '\0';
    for (int i = 0; i < count; i++) {
        if (list[i]->mode == HWDEC_MODE_SW)
            return list[i];
        char reason[HWDEC_WHY_MAX] = "";
        if (probe(opaque, list[i], reason, sizeof(reason)) >= 0)
            return list[i];
        add_reason(why, n, list[i]->name, reason[0] ? reason : "unavailable");
    }
    return &hwdec_driver_sw; /* a test's list without sw */
}

bool hwdec__ffmpeg_has(enum AVHWDeviceType type)
{
    for (enum AVHWDeviceType t = AV_HWDEVICE_TYPE_NONE;
         (t = av_hwdevice_iterate_types(t)) != AV_HWDEVICE_TYPE_NONE;)
        if (t == type)
            return true;
    return false;
}

/* True when codec can decode into drv's frames through a device context. */
static bool codec_has_config(const AVCodec *codec, const struct hwdec_driver *drv)
{
    for (int i = 0;; i++) {
        const AVCodecHWConfig *c = avcodec_get_hw_config(codec, i);
        if (!c)
            return false;
        if (c->device_type == drv->device_type && c->pix_fmt == drv->hw_format &&
            (c->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX))
            return true;
    }
}

int hwdec_check_stream(const struct hwdec_driver *drv, AVBufferRef *dev,
                       const AVCodec *codec, int width, int height, char *why,
                       size_t n)
{
    if (drv->mode == HWDEC_MODE_SW)
        return 0;
    if (drv->check_stream)
        return drv->check_stream(dev, codec, width, height, why, n);
    if (!codec_has_config(codec, drv)) {
        snprintf(why, n, "no %s hardware decoding for %s in this FFmpeg",
                 drv->name, codec->name);
        return AVERROR(ENOSYS);
    }
    AVHWFramesConstraints *c = av_hwdevice_get_hwframe_constraints(dev, NULL);
    int ret = 0;
    if (c && c->max_width > 0 && c->max_height > 0 &&
        (width > c->max_width || height > c->max_height)) {
        snprintf(why, n, "%dx%d is larger than the device's %dx%d", width, height,
                 c->max_width, c->max_height);
        ret = AVERROR(ERANGE);
    }
    av_hwframe_constraints_free(&c);
    return ret;
}

int hwdec_list(FILE *out, const struct tlog *log)
{
    int working = 0;
    for (int i = 0; i < N_DRIVERS; i++) {
        const struct hwdec_driver *d = drivers[i];
        AVBufferRef *dev = NULL;
        char why[HWDEC_WHY_MAX] = "", desc[HWDEC_WHY_MAX] = "";
        if (d->device_create(&dev, log, why, sizeof(why)) < 0) {
            fprintf(out, "%s: unavailable: %s\n", d->name, why[0] ? why : "unknown error");
            continue;
        }
        d->describe(dev, desc, sizeof(desc));
        fprintf(out, "%s: ok: %s\n", d->name, desc);
        av_buffer_unref(&dev);
        working++;
    }
    return working;
}

/* ---- zero-copy bookkeeping (one per device, carried by its frames) ---- */

struct interop_book {
    pthread_mutex_t lock;
    enum hwdec_interop_state state;
    char why[HWDEC_WHY_MAX];
    const char *driver;     /* a driver's static name */
    struct tlog *log;       /* own copy: may outlive the device set */
};

static void book_free(void *opaque, uint8_t *data)
{
    struct interop_book *b = (struct interop_book *)data;
    (void)opaque;
    pthread_mutex_destroy(&b->lock);
    tlog_destroy(b->log);
    free(b);
}

static AVBufferRef *book_create(const struct hwdec_driver *drv, const struct tlog *log)
{
    struct interop_book *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    pthread_mutex_init(&b->lock, NULL);
    b->driver = drv->name;
    b->log = tlog_create(log, drv->name);
    AVBufferRef *ref = av_buffer_create((uint8_t *)b, sizeof(*b), book_free, NULL, 0);
    if (!ref)
        book_free(NULL, (uint8_t *)b);
    return ref;
}

enum hwdec_interop_state hwdec_interop_state_of(AVBufferRef *book, char *why, size_t n)
{
    if (!book)
        return HWDEC_INTEROP_UNKNOWN;
    struct interop_book *b = (struct interop_book *)book->data;
    pthread_mutex_lock(&b->lock);
    enum hwdec_interop_state s = b->state;
    if (why && n)
        snprintf(why, n, "%s", b->why);
    pthread_mutex_unlock(&b->lock);
    return s;
}

void hwdec_interop_report(const AVFrame *frame, bool ok, const char *how,
                          const char *why)
{
    if (!frame->opaque_ref)
        return;
    struct interop_book *b = (struct interop_book *)frame->opaque_ref->data;
    pthread_mutex_lock(&b->lock);
    enum hwdec_interop_state old = b->state;
    if (old != HWDEC_INTEROP_FAILED) {
        b->state = ok ? HWDEC_INTEROP_OK : HWDEC_INTEROP_FAILED;
        if (!ok)
            snprintf(b->why, sizeof(b->why), "%s", why ? why : "interop failed");
    }
    pthread_mutex_unlock(&b->lock);
    if (old == HWDEC_INTEROP_UNKNOWN && ok)
        tlog_info(b->log, "zero-copy: frames go to OpenGL through %s", how);
    else if (old != HWDEC_INTEROP_FAILED && !ok)
        tlog_warn(b->log, "zero-copy unavailable (%s: %s); copying frames through "
                  "system memory", how, why ? why : "?");
}

/* ---- shared device contexts ---- */

#define MAX_SLOTS 8

struct device_slot {
    const struct hwdec_driver *driver; /* NULL: free slot */
    AVBufferRef *dev;        /* NULL: failed (why) or sw */
    AVBufferRef *book;       /* struct interop_book */
    char why[HWDEC_WHY_MAX];
};

struct hwdec_devices {
    atomic_int refs;
    pthread_mutex_t lock;    /* guards slots; held while a device is created */
    struct tlog *log;
    struct device_slot slots[MAX_SLOTS];
};

struct hwdec_devices *hwdec_devices_create(const struct tlog *log)
{
    struct hwdec_devices *devs = calloc(1, sizeof(*devs));
    if (!devs)
        return NULL;
    if (!(devs->log = tlog_create(log, "hwdec"))) {
        free(devs);
        return NULL;
    }
    atomic_init(&devs->refs, 1);
    pthread_mutex_init(&devs->lock, NULL);
    return devs;
}

struct hwdec_devices *hwdec_devices_ref(struct hwdec_devices *devs)
{
    if (devs)
        atomic_fetch_add(&devs->refs, 1);
    return devs;
}

void hwdec_devices_unref(struct hwdec_devices *devs)
{
    if (!devs || atomic_fetch_sub(&devs->refs, 1) != 1)
        return;
    for (int i = 0; i < MAX_SLOTS; i++) {
        av_buffer_unref(&devs->slots[i].dev);
        av_buffer_unref(&devs->slots[i].book);
    }
    pthread_mutex_destroy(&devs->lock);
    tlog_destroy(devs->log);
    free(devs);
}

/* Creates slot's device once (lock held): the first feed pays for it. */
static void slot_open(struct hwdec_devices *devs, struct device_slot *s,
                      const struct hwdec_driver *drv)
{
    s->driver = drv;
    int ret = drv->device_create(&s->dev, devs->log, s->why, sizeof(s->why));
    if (ret < 0) {
        tlog_debug(devs->log, "%s: unavailable: %s", drv->name, s->why);
        return;
    }
    char desc[HWDEC_WHY_MAX] = "";
    drv->describe(s->dev, desc, sizeof(desc));
    tlog_info(devs->log, "%s: device ready (%s), shared by every feed", drv->name, desc);
    if (s->dev && !(s->book = book_create(drv, devs->log))) {
        av_buffer_unref(&s->dev);
        snprintf(s->why, sizeof(s->why), "out of memory");
    }
}

/* The slot of drv, or a free one; NULL when all are taken (lock held). */
static struct device_slot *find_slot(struct hwdec_devices *devs,
                                     const struct hwdec_driver *drv)
{
    struct device_slot *free_slot = NULL;
    for (int i = 0; i < MAX_SLOTS; i++) {
        if (devs->slots[i].driver == drv)
            return &devs->slots[i];
        if (!devs->slots[i].driver && !free_slot)
            free_slot = &devs->slots[i];
    }
    return free_slot;
}

AVBufferRef *hwdec_devices_get(struct hwdec_devices *devs,
                               const struct hwdec_driver *drv, AVBufferRef **book,
                               char *why, size_t n)
{
    *book = NULL;
    if (drv->mode == HWDEC_MODE_SW) {
        snprintf(why, n, "not a hardware backend");
        return NULL;
    }
    pthread_mutex_lock(&devs->lock);
    struct device_slot *s = find_slot(devs, drv);
    if (s && !s->driver)
        slot_open(devs, s, drv);
    AVBufferRef *ref = s && s->dev ? av_buffer_ref(s->dev) : NULL;
    *book = ref && s->book ? av_buffer_ref(s->book) : NULL;
    if (!ref)
        snprintf(why, n, "%s", s && s->why[0] ? s->why : "out of memory");
    if (ref && !*book)
        av_buffer_unref(&ref);
    pthread_mutex_unlock(&devs->lock);
    return ref;
}
