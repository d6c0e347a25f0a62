/*
 * test_url.c - credentials never survive url_redact(); file URLs are told
 * from network ones.
 */
#include "base/url.h"
#include "check.h"

static const struct {
    const char *in, *want;
} redact_cases[] = {
    {"rtsp://127.0.0.1:8554/north", "rtsp://127.0.0.1:8554/north"},
    {"rtsp://admin:hunter2@10.0.0.5/stream1", "rtsp://***@10.0.0.5/stream1"},
    {"rtsp://admin@cam/x", "rtsp://***@cam/x"},
    {"rtsp://user:p@ss@cam:554/x", "rtsp://***@cam:554/x"},
    {"http://cam/snap?user=a&password=b&x=1", "http://cam/snap?user=a&password=***&x=1"},
    {"https://h/x?token=abc#frag", "https://h/x?token=***#frag"},
    {"srt://host:9000?passphrase=z&streamid=a", "srt://host:9000?passphrase=z&streamid=a"},
    {"srt://host:9000?pass=z", "srt://host:9000?pass=***"},
    {"/var/video/a@b.mp4", "/var/video/a@b.mp4"},
    {"http://h/p@th", "http://h/p@th"},
    {"", ""},
};

int main(void)
{
    struct check_counts cc = {0};
    for (size_t i = 0; i < sizeof(redact_cases) / sizeof(redact_cases[0]); i++) {
        char out[256];
        url_redact(redact_cases[i].in, out, sizeof(out));
        CHECK_STR(&cc, out, redact_cases[i].want);
    }
    char small[8];
    url_redact("rtsp://a:b@host/very/long", small, sizeof(small));
    CHECK_INT(&cc, strlen(small), 7);
    CHECK_INT(&cc, url_is_file("file:/tmp/a.mp4"), 1);
    CHECK_INT(&cc, url_is_file("/tmp/a.mp4"), 1);
    CHECK_INT(&cc, url_is_file("rtsp://h/a"), 0);
    CHECK_INT(&cc, url_is_file("udp://@:1234"), 0);
    return check_report(&cc);
}
