#version 330 core
// YUV to RGB on the GPU: planes sampled from R8 (Y, U, V), R8 + RG8 (NV12),
// R8 (grey) or one RGBA texture holding V, U, Y (packed, for software GL);
// or, for software GL, one texture of BGRA pixels (sampled as RGBA) already
// scaled to the tile by the feed thread (decode/scale.h: no matrix, drawn
// 1:1; without masks the renderer copies it instead, video.c);
// u_matrix and u_offset carry the colour matrix (BT.601/709/2020) and the
// range (limited or full) of the frame.  Privacy masks are applied here,
// before any pixel reaches a screen or a snapshot: u_mask holds the coverage
// in picture coordinates (255 solid, 128 pixelate).
//
// The renderer compiles one program per LAYOUT (0 planar, 1 NV12, 2 grey,
// 3 packed, 4 scaled RGB) and MASKED (0, 1), defined in front of this text: branches on
// uniforms would make a software rasteriser run every path for every pixel.
uniform sampler2D u_plane0;
uniform sampler2D u_plane1;
uniform sampler2D u_plane2;
uniform sampler2D u_mask;
uniform vec2 u_blocks;    // pixelation blocks across the picture (x, y)
uniform mat3 u_matrix;
uniform vec3 u_offset;
uniform float u_dim;      // 1.0 normal, < 1.0 darkens (stalled/offline)
in vec2 v_uv;
out vec4 frag;

vec3 rgb_at(vec2 uv)
{
#if LAYOUT == 4
    return texture(u_plane0, uv).rgb;
#elif LAYOUT == 3
    vec3 yuv = texture(u_plane0, uv).bgr;
#elif LAYOUT == 1
    vec3 yuv = vec3(texture(u_plane0, uv).r, texture(u_plane1, uv).rg);
#elif LAYOUT == 2
    vec3 yuv = vec3(texture(u_plane0, uv).r, 0.5, 0.5);
#else
    vec3 yuv = vec3(texture(u_plane0, uv).r, texture(u_plane1, uv).r,
                    texture(u_plane2, uv).r);
#endif
#if LAYOUT != 4
    return clamp(u_matrix * (yuv - u_offset), 0.0, 1.0);
#endif
}

void main()
{
#if MASKED
    float m = texture(u_mask, v_uv).r;
    vec2 uv = m > 0.25 ? (floor(v_uv * u_blocks) + 0.5) / u_blocks : v_uv;
    vec3 rgb = m > 0.75 ? vec3(0.16, 0.16, 0.18) : rgb_at(uv);
#else
    vec3 rgb = rgb_at(v_uv);
#endif
    frag = vec4(rgb * u_dim, 1.0);
}
