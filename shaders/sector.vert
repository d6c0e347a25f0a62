#version 330 core
// Map camera view sectors: triangles in output pixels (origin top left), each
// vertex with its own colour, so every sector of a panel is one draw call.
layout(location = 0) in vec2 a_pos;   // pixels
layout(location = 1) in vec4 a_color;
uniform vec2 u_target; // output size in pixels
out vec4 v_color;

void main()
{
    vec2 ndc = a_pos / u_target * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, ndc.y, 0.0, 1.0); // top row first, as quad.vert
    v_color = a_color;
}
