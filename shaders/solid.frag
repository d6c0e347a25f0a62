#version 330 core
// A flat colour (backgrounds, label boxes, markers), alpha-blended.
uniform vec4 u_color;
in vec2 v_uv;
out vec4 frag;

void main()
{
    frag = u_color;
}
