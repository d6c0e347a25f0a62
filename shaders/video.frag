#version 330 core
// YUV to RGB on the GPU: planes sampled from R8 (Y, U, V) or R8 + RG8 (NV12)
// textures; u_matrix and u_offset carry the colour matrix (BT.601/709/2020)
// and the range (limited or full) of the frame.  Privacy masks are applied
// here, before any pixel reaches a screen or a snapshot: u_mask holds the
// coverage in picture coordinates (255 solid, 128 pixelate).
uniform sampler2D u_plane0;
uniform sampler2D u_plane1;
uniform sampler2D u_plane2;
uniform sampler2D u_mask;
uniform int u_layout;     // 0: three planes, 1: NV12 (Y + interleaved UV), 2: grey
uniform int u_masked;     // 1: apply u_mask
uniform vec2 u_blocks;    // pixelation blocks across the picture (x, y)
uniform mat3 u_matrix;
uniform vec3 u_offset;
uniform float u_dim;      // 1.0 normal, < 1.0 darkens (stalled/offline)
in vec2 v_uv;
out vec4 frag;

vec3 rgb_at(vec2 uv)
{
    vec3 yuv;
    yuv.x = texture(u_plane0, uv).r;
    if (u_layout == 1)
        yuv.yz = texture(u_plane1, uv).rg;
    else if (u_layout == 0)
        yuv.yz = vec2(texture(u_plane1, uv).r, texture(u_plane2, uv).r);
    else
        yuv.yz = vec2(0.5);
    return clamp(u_matrix * (yuv - u_offset), 0.0, 1.0);
}

void main()
{
    vec3 rgb;
    float m = u_masked == 1 ? texture(u_mask, v_uv).r : 0.0;
    if (m > 0.75)
        rgb = vec3(0.16, 0.16, 0.18);
    else if (m > 0.25)
        rgb = rgb_at((floor(v_uv * u_blocks) + 0.5) / u_blocks);
    else
        rgb = rgb_at(v_uv);
    frag = vec4(rgb * u_dim, 1.0);
}
