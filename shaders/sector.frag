#version 330 core
// Map camera view sectors: the colour of each vertex, alpha-blended.
in vec4 v_color;
out vec4 frag;

void main()
{
    frag = v_color;
}
