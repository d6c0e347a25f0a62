"""bench_lib - the pieces of tools/bench: child processes and what the kernel
says they cost (procs), test media, the RTSP server and layouts (media), the
runs themselves (runs), and the printed table, JSON and sweep curve (report).
Standard library only."""
