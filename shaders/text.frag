#version 330 core
// Textured quads: text rendered by SDL2_ttf (white glyphs in an RGBA
// texture, tinted by u_color) and images such as basemap tiles (u_color
// white).
uniform sampler2D u_tex;
uniform vec4 u_color;
in vec2 v_uv;
out vec4 frag;

void main()
{
    vec4 t = texture(u_tex, v_uv);
    frag = vec4(t.rgb * u_color.rgb, t.a * u_color.a);
}
