#version 330 core
// YUV to RGB on the GPU: planes sampled from R8 (Y, U, V) or R8 + RG8 (NV12)
// textures; u_matrix and u_offset carry the colour matrix (BT.601/709/2020)
// and the range (limited or full) of the frame.
uniform sampler2D u_plane0;
uniform sampler2D u_plane1;
uniform sampler2D u_plane2;
uniform int u_layout;     // 0: three planes, 1: NV12 (Y + interleaved UV), 2: grey
uniform mat3 u_matrix;
uniform vec3 u_offset;
uniform float u_dim;      // 1.0 normal, < 1.0 darkens (stalled/offline)
in vec2 v_uv;
out vec4 frag;

void main()
{
    vec3 yuv;
    yuv.x = texture(u_plane0, v_uv).r;
    if (u_layout == 1)
        yuv.yz = texture(u_plane1, v_uv).rg;
    else if (u_layout == 0)
        yuv.yz = vec2(texture(u_plane1, v_uv).r, texture(u_plane2, v_uv).r);
    else
        yuv.yz = vec2(0.5);
    vec3 rgb = u_matrix * (yuv - u_offset);
    frag = vec4(clamp(rgb, 0.0, 1.0) * u_dim, 1.0);
}
