#version 330 core
// Map markers drawn in a square quad: a disc with a dark rim (incidents,
// cameras), an arrow pointing along u_heading (units), or a thin circle (a
// unit's accuracy ring, u_heading then its line width, 0..1 of the radius).
// v_uv spans 0..1.
uniform vec4 u_color;
uniform int u_shape;      // 0: disc, 1: arrow, 2: square, 3: ring
uniform float u_heading;  // radians clockwise from north (up)
in vec2 v_uv;
out vec4 frag;

void main()
{
    vec2 p = v_uv * 2.0 - 1.0;           // -1..1, y down
    float inside, rim;
    if (u_shape == 1) {
        float c = cos(u_heading), s = sin(u_heading);
        vec2 q = vec2(c * p.x + s * p.y, -s * p.x + c * p.y); // rotate into the arrow's frame
        // a chevron: tip at (0,-0.9), base corners at (+-0.7, 0.8)
        float edge = max(abs(q.x) * 1.6 - q.y * 0.55 - 0.5, q.y - 0.8);
        inside = step(edge, 0.0);
        rim = step(edge, 0.0) - step(edge, -0.18);
    } else if (u_shape == 3) {
        float d = length(p);
        inside = step(d, 1.0) - step(d, 1.0 - u_heading);
        rim = 0.0;
    } else if (u_shape == 2) {
        float d = max(abs(p.x), abs(p.y));
        inside = step(d, 0.85);
        rim = inside - step(d, 0.6);
    } else {
        float d = length(p);
        inside = step(d, 0.95);
        rim = inside - step(d, 0.7);
    }
    if (inside < 0.5)
        discard;
    vec3 rgb = mix(u_color.rgb, vec3(0.05), rim);
    frag = vec4(rgb, u_color.a);
}
