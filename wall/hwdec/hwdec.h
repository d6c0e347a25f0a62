/*
 * hwdec.h - hardware decoding, decode side: the registry of decode backends
 * (nvdec, vaapi, sw; one file and one table entry each), how a feed's choice
 * becomes the backend it uses ("auto" probes in order), and the hardware
 * device contexts that every feed of a wall shares (one per backend, created
 * on first use, reference-counted).  The render side (putting hardware frames
 * into GL textures) is hwdec/interop.h.
 *
 * Threads: the driver table and the mode helpers are immutable and usable
 * anywhere; struct hwdec_devices is thread-safe (feed threads share it).
 */
#ifndef TESSERA_HWDEC_H
#define TESSERA_HWDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libavcodec/avcodec.h>
#include <libavutil/buffer.h>
#include <libavutil/hwcontext.h>

struct tlog;

/* What a user asks for (--hwdec, or a feed's "hwdec"). */
enum hwdec_mode {
    HWDEC_MODE_DEFAULT = 0, /* not given here: the wider setting decides */
    HWDEC_MODE_AUTO,        /* the first backend that works for the stream */
    HWDEC_MODE_NVDEC,
    HWDEC_MODE_VAAPI,
    HWDEC_MODE_SW,
};

/* A reason string's size everywhere in this module (feed_status uses 160). */
#define HWDEC_WHY_MAX 160

/* One decode backend.  Each lives in its own file (nvdec.c, vaapi.c, sw.c)
 * and exports one const table; hwdec.c's registry array lists them. */
struct hwdec_driver {
    const char *name;                /* as --hwdec spells it: "nvdec" */
    enum hwdec_mode mode;
    enum AVHWDeviceType device_type; /* AV_HWDEVICE_TYPE_NONE for sw */
    enum AVPixelFormat hw_format;    /* decoder output; AV_PIX_FMT_NONE for sw */
    /* Decode surfaces added to the decoder's pool for frames held outside it
     * (mailbox, renderer).  NVDEC allows fewer than 32 surfaces in all. */
    int extra_hw_frames;
    /* Creates the backend's device context for real (this is the truthful
     * probe).  Returns 0 with a new reference in *dev (sw: NULL), or a
     * negative AVERROR with a one-line reason in why.  Logs at debug only. */
    int (*device_create)(AVBufferRef **dev, const struct tlog *log, char *why,
                         size_t n);
    /* Describes a working device in desc ("NVIDIA H100 80GB HBM3"); dev is
     * what device_create returned. */
    void (*describe)(AVBufferRef *dev, char *desc, size_t n);
    /* Optional: decides alone whether dev decodes codec at width x height
     * (0, or a negative AVERROR with why).  NULL: the generic check of
     * hwdec_check_stream(). */
    int (*check_stream)(AVBufferRef *dev, const AVCodec *codec, int width,
                        int height, char *why, size_t n);
};

extern const struct hwdec_driver hwdec_driver_nvdec;
extern const struct hwdec_driver hwdec_driver_vaapi;
extern const struct hwdec_driver hwdec_driver_sw;

/* Number of registered backends (the order "auto" probes them in, sw last). */
int hwdec_driver_count(void);

/* The backend at index i (0 <= i < hwdec_driver_count()). */
const struct hwdec_driver *hwdec_driver_at(int i);

/* The backend called name, or NULL. */
const struct hwdec_driver *hwdec_driver_find(const char *name);

/* Parses "auto", "nvdec", "vaapi" or "sw"; returns -1 for anything else. */
int hwdec_mode_parse(const char *s);

/* The spelling of mode ("auto"); "default" for HWDEC_MODE_DEFAULT. */
const char *hwdec_mode_name(enum hwdec_mode mode);

/* The mode a feed decodes with: its own setting wins over the global one;
 * unset in both means auto.  Never returns HWDEC_MODE_DEFAULT. */
enum hwdec_mode hwdec_mode_resolve(enum hwdec_mode feed, enum hwdec_mode global);

/* Fills list (room for max) with the backends to try for mode, in order,
 * taken from the NULL-terminated array from (NULL: the registry); sw is
 * always last.  Returns how many. */
int hwdec_candidates(enum hwdec_mode mode, const struct hwdec_driver *const *from,
                     const struct hwdec_driver **list, int max);

/* Decides whether drv can decode the stream at hand: 0 if so, else a
 * negative AVERROR with the reason in why (without the driver's name). */
typedef int (*hwdec_probe_fn)(void *opaque, const struct hwdec_driver *drv,
                              char *why, size_t n);

/* Picks the first candidate of mode (from from, as in hwdec_candidates)
 * that probe accepts (sw needs no probe).  why receives "name: reason" for
 * each backend passed over, joined by "; " (empty when the first candidate
 * was taken). */
const struct hwdec_driver *hwdec_select(enum hwdec_mode mode,
                                        const struct hwdec_driver *const *from,
                                        hwdec_probe_fn probe, void *opaque,
                                        char *why, size_t n);

/* Checks that a device of drv decodes codec at width x height: the codec
 * has a hardware configuration for the device type, and the size is within
 * the device's frame constraints (or drv's own check_stream says so).  0,
 * or a negative AVERROR with why. */
int hwdec_check_stream(const struct hwdec_driver *drv, AVBufferRef *dev,
                       const AVCodec *codec, int width, int height, char *why,
                       size_t n);

/* Prints one line per backend, "name: ok: description" or
 * "name: unavailable: reason", after really creating each device (what
 * --list-hwdec shows).  Returns how many backends work. */
int hwdec_list(FILE *out, const struct tlog *log);

/* ---- shared device contexts ---- */

/* The device contexts of one wall: one per backend, created when a feed
 * first needs it and kept, or its failure remembered, so that sixteen feeds
 * do not probe sixteen times.  Reference-counted: every feed holds one. */
struct hwdec_devices;

/* Creates the set with one reference; log is copied.  NULL on allocation
 * failure. */
struct hwdec_devices *hwdec_devices_create(const struct tlog *log);

/* Takes another reference; returns devs (NULL stays NULL). */
struct hwdec_devices *hwdec_devices_ref(struct hwdec_devices *devs);

/* Drops a reference; the last one frees the set and its device references
 * (frames and decoders still holding a device keep it alive).  Accepts NULL. */
void hwdec_devices_unref(struct hwdec_devices *devs);

/* A new reference to drv's shared device, created on the first call, and in
 * *book a new reference to the device's zero-copy bookkeeping (decoders
 * attach it to the frames they output as opaque_ref, so that the render
 * thread can report whether it maps them).  NULL, with *book NULL and the
 * reason in why, if the backend cannot start on this machine (the failure
 * is remembered: later calls return it at once). */
AVBufferRef *hwdec_devices_get(struct hwdec_devices *devs,
                               const struct hwdec_driver *drv, AVBufferRef **book,
                               char *why, size_t n);

/* ---- zero-copy bookkeeping between the render thread and decoders ---- */

enum hwdec_interop_state {
    HWDEC_INTEROP_UNKNOWN = 0, /* no frame of this device mapped yet */
    HWDEC_INTEROP_OK,          /* the renderer maps its frames into GL */
    HWDEC_INTEROP_FAILED,      /* it cannot: decoders copy to system memory */
};

/* The zero-copy state recorded in book (from hwdec_devices_get; NULL is
 * UNKNOWN); a failure's reason goes into why (may be NULL). */
enum hwdec_interop_state hwdec_interop_state_of(AVBufferRef *book, char *why,
                                                size_t n);

/* Render thread: records in the bookkeeping that frame carries (its
 * opaque_ref; nothing without one) whether the interop called how mapped it
 * into GL, logging the first outcome per device.  A failure is final for the
 * device: its decoders switch to copy mode. */
void hwdec_interop_report(const AVFrame *frame, bool ok, const char *how,
                          const char *why);

#endif
