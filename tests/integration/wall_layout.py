#!/usr/bin/env python3
"""wall_layout.py - writes the layout files of the reload and operator-state
integration tests.  Usage: wall_layout.py FILE PORT [STATEMENT...]

Builds a base layout L (feeds a b c d on the test RTSP server at PORT; views
"day" and "night" of one 640x360 output "main"), runs each STATEMENT (Python)
on it with the helpers below, and writes FILE atomically (a temporary file
renamed over it, as editors do).  The statement "BROKEN" writes an invalid
document instead."""
import json
import os
import sys

path, port = sys.argv[1], sys.argv[2]


def tile(feed, col, row=0):
    return {"feed": feed, "cell": [col, row]}


def tour(feeds, dwell, col, row=0):
    return {"tour": {"feeds": feeds, "dwell": dwell}, "cell": [col, row]}


def panel_map(col, row=0):
    return {"panel": "map", "cell": [col, row], "center": [0.0, 0.0], "zoom": 2}


def out(tiles, name="main", size=(640, 360), grid=None):
    return {"name": name, "size": list(size), "grid": list(grid or (len(tiles), 1)),
            "tiles": tiles}


def view(*outputs):
    return {"outputs": list(outputs)}


L = {
    "feeds": {f: {"url": "rtsp://127.0.0.1:%s/%s" % (port, f), "label": f.upper()}
              for f in "abcd"},
    "layouts": {
        "day": view(out([tile("a", 0), tour(["b", "c"], 1, 1)])),
        "night": view(out([tile("c", 0), tile("b", 1)])),
    },
}
text = None
for stmt in sys.argv[3:]:
    if stmt == "BROKEN":
        text = json.dumps(L, indent=1)[:-2] + ',\n "oops": 1}\n'
    else:
        exec(stmt)
tmp = path + ".tmp"
with open(tmp, "w") as f:
    f.write(text if text is not None else json.dumps(L, indent=1) + "\n")
os.rename(tmp, path)
