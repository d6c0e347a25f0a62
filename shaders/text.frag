#version 330 core
// Text rendered by SDL2_ttf into an RGBA texture, tinted by u_color.
uniform sampler2D u_tex;
uniform vec4 u_color;
in vec2 v_uv;
out vec4 frag;

void main()
{
    vec4 t = texture(u_tex, v_uv);
    frag = vec4(u_color.rgb, u_color.a * t.a);
}
