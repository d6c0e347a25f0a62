/*
 * test_url.c - credentials never survive url_redact() or url_redact_text();
 * source keys name the camera, not the credentials; file URLs are told from
 * network ones.
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
    /* names that contain a secret word, in any case */
    {"srt://host:9000?mode=caller&passphrase=z", "srt://host:9000?mode=caller&passphrase=***"},
    {"srt://host:9000?passphrase=z&streamid=a", "srt://host:9000?passphrase=***&streamid=a"},
    {"srt://host:9000?pass=z", "srt://host:9000?pass=***"},
    {"https://h/l.m3u8?access_token=T1&x=2", "https://h/l.m3u8?access_token=***&x=2"},
    {"https://h/a?api_key=K&API-KEY=K2", "https://h/a?api_key=***&API-KEY=***"},
    {"https://h/a?X-Amz-Signature=S&sig=S2", "https://h/a?X-Amz-Signature=***&sig=***"},
    {"https://h/a?Authorization=Basic%20x", "https://h/a?Authorization=***"},
    {"https://h/a?client_secret=s;pwd=p", "https://h/a?client_secret=***;pwd=***"},
    {"https://h/a?token", "https://h/a?token"}, /* no value, nothing to hide */
    {"https://u:p@h/a?token=t", "https://***@h/a?token=***"},
    {"/var/video/a@b.mp4", "/var/video/a@b.mp4"},
    {"http://h/p@th", "http://h/p@th"},
    {"", ""},
};

static const struct {
    const char *in, *want;
} text_cases[] = {
    {"no url here", "no url here"},
    {"[rtsp @ 0x55] opening rtsp://admin:M4RK@cam:554/x failed",
     "[rtsp @ 0x55] opening rtsp://***@cam:554/x failed"},
    {"'srt://h:9000?passphrase=M4RK': I/O error", "'srt://h:9000?passphrase=***': I/O error"},
    {"a http://u:p@a/x and https://b/y?token=t\n", "a http://***@a/x and https://b/y?token=***\n"},
    {"url=\"rtmp://k:v@h/app\"", "url=\"rtmp://***@h/app\""},
    {"://orphan u:p@h", "://orphan u:p@h"},
    {"tcp://10.0.0.5:554?timeout=0", "tcp://10.0.0.5:554?timeout=0"},
};

static const struct {
    const char *in, *want;
} key_cases[] = {
    {"rtsp://admin:pw@Cam.Local/stream1?x=1", "rtsp://cam.local:554/stream1"},
    {"RTSP://cam.local:554/stream1", "rtsp://cam.local:554/stream1"},
    {"rtsp://other:pw2@cam.local:554/stream1#f", "rtsp://cam.local:554/stream1"},
    {"srt://h:9000?mode=caller&passphrase=s", "srt://h:9000/"},
    {"http://[::1]:8080/a?token=1", "http://[::1]:8080/a"},
    {"http://[::1]/a", "http://[::1]:80/a"},
    {"/var/video/a.mp4", "/var/video/a.mp4"},
};

int main(void)
{
    struct check_counts cc = {0};
    char out[256];
    for (size_t i = 0; i < sizeof(redact_cases) / sizeof(redact_cases[0]); i++) {
        url_redact(redact_cases[i].in, out, sizeof(out));
        CHECK_STR(&cc, out, redact_cases[i].want);
    }
    for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
        url_redact_text(text_cases[i].in, out, sizeof(out));
        CHECK_STR(&cc, out, text_cases[i].want);
    }
    for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
        url_source_key(key_cases[i].in, out, sizeof(out));
        CHECK_STR(&cc, out, key_cases[i].want);
    }
    char small[8];
    url_redact("rtsp://a:b@host/very/long", small, sizeof(small));
    CHECK_INT(&cc, strlen(small), 7);
    url_redact_text("x rtsp://a:SECRETSECRET@host/", small, sizeof(small));
    CHECK(&cc, strstr(small, "SECRET") == NULL, "cut text leaks: %s", small);
    CHECK_INT(&cc, url_is_file("file:/tmp/a.mp4"), 1);
    CHECK_INT(&cc, url_is_file("/tmp/a.mp4"), 1);
    CHECK_INT(&cc, url_is_file("rtsp://h/a"), 0);
    CHECK_INT(&cc, url_is_file("udp://@:1234"), 0);
    return check_report(&cc);
}
