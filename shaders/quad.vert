#version 330 core
// One rectangle in output pixels (origin top left), drawn as a triangle strip
// of four vertices generated from gl_VertexID: no vertex buffer needed.
// Pixel row y goes to GL row y: render targets hold their top row first
// (render_internal.h).
uniform vec4 u_rect;   // x, y, w, h in pixels
uniform vec2 u_target; // output size in pixels
uniform vec4 u_uv;     // u0, v0, u1, v1 of the source shown
out vec2 v_uv;

void main()
{
    vec2 corner = vec2(gl_VertexID & 1, gl_VertexID >> 1);
    vec2 px = u_rect.xy + corner * u_rect.zw;
    vec2 ndc = px / u_target * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, ndc.y, 0.0, 1.0);
    v_uv = mix(u_uv.xy, u_uv.zw, corner);
}
