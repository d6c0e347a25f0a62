# tools/gpu_check_lib/peers.sh - sourced by tools/gpu-check: what Tessera is
# measured against with --peers, on the same clips, one after the other in
# the same run:
#
#   bare    the ffmpeg CLI built beside Tessera decoding the clips as fast as
#           they go (the bare limit): frames stay on the GPU
#           (-hwaccel cuda -hwaccel_output_format cuda), one decoder thread
#           per stream as in Tessera, one process per stream (each with its
#           own CUDA context; --bare-procs P deals the streams round robin
#           over P processes instead);
#   gst     a displaying peer: GStreamer 1.22 (Debian's, carried) decoding
#           each clip with nvh264dec/nvh265dec, scaling it to its cell on the
#           GPU (cudascale), and compositing the cells into the same outputs
#           at the clips' pace (compositor, fakesink sync=true).
#
# Uses the run step's variables: root, carry, work, out, hwdec, codec,
# tile_clip[], outputs, out_w, out_h, cell_w, cell_h, per_output, grid_cols,
# CLIP_SECONDS.
# shellcheck shell=bash disable=SC2154,SC2034 # the run step's variables, in and out

# Libraries every Linux machine has; the peer's closure may leave them out.
PEER_BASE_LIBS="libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2
ld-linux-x86-64.so.2 libstdc++.so.6 libgcc_s.so.1"
# The GStreamer plugins the peer loads (the others are never scanned).
PEER_PLUGINS="coreelements isomp4 videoparsersbad nvcodec compositor videoconvertscale"
# Software decoders for the dry run (--hwdec sw), where this machine has them.
PEER_SW_PLUGINS="openh264 de265 libav"

# Prints the sonames the ELF files $2... need that neither the tree $1 nor
# PEER_BASE_LIBS provides (empty: the closure is complete).
peer_missing_libs() {
    local rootdir=$1
    shift
    python3 - "$rootdir" "$PEER_BASE_LIBS" "$@" <<'PY'
import os, subprocess, sys
root, base, pending = sys.argv[1], set(sys.argv[2].split()), sys.argv[3:]
have = {}
for d in ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "usr/local/lib"):
    for dirpath, _, files in os.walk(os.path.join(root, d)):
        for f in files:
            have.setdefault(f, os.path.join(dirpath, f))
        break
seen, missing = set(), set()
while pending:
    path = pending.pop()
    try:
        out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    except OSError:
        print("(readelf not found: not checked)"); sys.exit()
    for line in out.splitlines():
        if "(NEEDED)" not in line:
            continue
        name = line.rsplit("[", 1)[1].rstrip("]")
        if name in base or name in seen:
            continue
        seen.add(name)
        if name in have:
            pending.append(have[name])
        else:
            missing.add(name)
print(" ".join(sorted(missing)))
PY
}

# Unpacks the carried peer .debs into $work/peer-root (once) and links the
# plugins the peer uses into $work/peer-plugins (the software decoders only
# for --hwdec sw).
peer_unpack() {
    peer_root=$work/peer-root
    local p lib=$peer_root/usr/lib/x86_64-linux-gnu
    unpack_debs "$carry/peer-debs" "$peer_root"
    rm -rf "$work/peer-plugins"
    mkdir -p "$work/peer-plugins"
    local plugins=$PEER_PLUGINS
    [[ ${hwdec:-} == sw ]] && plugins+=" $PEER_SW_PLUGINS"
    for p in $plugins; do
        [[ -f $lib/gstreamer-1.0/libgst$p.so ]] && ln -sfn "$lib/gstreamer-1.0/libgst$p.so" "$work/peer-plugins/"
    done
    return 0
}

# Writes the GPU's utilisation (gpu_util_sample) to the file $2 after $1 s.
util_after() {
    sleep "$1"
    gpu_util_sample
    printf '%s' "$nvdec_util" >"$2"
}

# Sets peer_envs: the "env ..." prefix that runs a command in the peer's
# environment, with its own libraries and plugins only.
peer_env_setup() {
    local lib=$peer_root/usr/lib/x86_64-linux-gnu d
    local path="$lib:$peer_root/lib/x86_64-linux-gnu"
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
        [[ -d $d ]] && path="$path:$d"
    done
    peer_envs=(env LD_LIBRARY_PATH="$path" GST_PLUGIN_SYSTEM_PATH_1_0="$work/peer-plugins"
        GST_PLUGIN_PATH_1_0= GST_REGISTRY_1_0="$work/peer-registry.bin"
        GST_PLUGIN_SCANNER_1_0="$lib/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner")
}

# Runs "$@" in the peer's environment.
peer_env() {
    "${peer_envs[@]}" "$@"
}

# Chooses the peer's elements for this run (peer_dec, peer_scale, peer_down,
# peer_parse), or says in peer_skip why there is no peer.
peer_elements() {
    local c=h264 f
    [[ $codec == hevc ]] && c=h265
    peer_parse=${c}parse peer_skip=""
    if [[ $hwdec == sw ]]; then
        peer_scale=videoscale peer_down="" peer_caps="video/x-raw"
        peer_dec=""
        for f in "avdec_$c" openh264dec libde265dec; do
            [[ $c == h265 && $f == openh264dec ]] && continue
            [[ $c == h264 && $f == libde265dec ]] && continue
            if peer_env "$peer_root/usr/bin/gst-inspect-1.0" "$f" >/dev/null 2>&1; then
                peer_dec=$f
                break
            fi
        done
        [[ -n $peer_dec ]] || peer_skip="no software $c decoder in the carried GStreamer"
    else
        peer_dec=nv${c}dec peer_scale=cudascale peer_down=cudadownload
        peer_caps="video/x-raw(memory:CUDAMemory)"
        peer_env "$peer_root/usr/bin/gst-inspect-1.0" "$peer_dec" >"$work/peer-inspect.log" 2>&1 ||
            peer_skip="GStreamer has no $peer_dec here ($(grep -m1 -iE 'error|no such' "$work/peer-inspect.log" || echo 'nvcodec found no NVDEC'))"
    fi
    return 0
}

# Writes the peer's gst-launch command line to the file $1: one compositor
# per output with the same cells as the wall, one branch per tile.
peer_command() {
    local args=("${peer_envs[@]}" "$peer_root/usr/bin/gst-launch-1.0" -e) o j i n=${#tile_clip[@]}
    for ((o = 0; o < outputs; o++)); do
        args+=(compositor "name=c$o" background=black)
        for ((j = 0; j < per_output && o * per_output + j < n; j++)); do
            args+=("sink_$j::xpos=$(((j % grid_cols) * cell_w))" "sink_$j::ypos=$(((j / grid_cols) * cell_h))")
        done
        args+=('!' "video/x-raw,width=$out_w,height=$out_h,framerate=30/1" '!' fakesink sync=true)
    done
    for ((i = 0; i < n; i++)); do
        o=$((i / per_output)) j=$((i % per_output))
        args+=(filesrc "location=${tile_clip[i]}" '!' qtdemux '!' "$peer_parse" '!' "$peer_dec"
            '!' "$peer_scale" '!' "$peer_caps,width=$cell_w,height=$cell_h")
        [[ -n $peer_down ]] && args+=('!' "$peer_down")
        args+=('!' queue max-size-buffers=4 '!' "c$o.sink_$j")
    done
    printf '%q ' "${args[@]}" >"$1"
    echo >>"$1"
}

# The displaying peer: plays every clip once at its pace.  Sets peer_line.
run_gst_peer() {
    peer_line=""
    [[ -d $carry/peer-debs ]] || { peer_line="skipped: no peer-debs in the carry (run --prepare again)"; return 0; }
    peer_unpack
    peer_env_setup
    local missing
    missing=$(peer_missing_libs "$peer_root" "$peer_root/usr/bin/gst-launch-1.0" "$work"/peer-plugins/*.so) || true
    [[ -z $missing ]] || say "the peer's libraries miss $missing (taken from this machine if it has them)"
    peer_elements
    [[ -z $peer_skip ]] || { peer_line="skipped: $peer_skip"; return 0; }
    peer_command "$work/peer.cmd"
    rm -f "$work"/peer.*.log
    say "peer: GStreamer, ${#tile_clip[@]} x $peer_dec into $outputs compositor(s), ${CLIP_SECONDS} s at the clips' pace"
    util_after $((CLIP_SECONDS / 2)) "$work/peer.util" &
    local upid=$! elapsed cpu rc ended frames util
    read -r elapsed cpu rc < <(python3 "$root/tools/gpu_check_lib/timed.py" "$work/peer.cmd" "$work/peer") ||
        { elapsed=1 cpu=0 rc="timed.py failed"; }
    wait "$upid" || true
    util=$(cat "$work/peer.util" 2>/dev/null || true)
    { echo "== peer: $(cut -c1-600 "$work/peer.cmd")..."; tail -n 20 "$work/peer.0.log" 2>/dev/null || true; } >>"$out/peers.log"
    if [[ $rc != 0 ]] || grep -qs '^ERROR' "$work/peer.0.log"; then
        peer_line="failed (exit $rc): $(grep -m1 '^ERROR' "$work/peer.0.log" || tail -n 1 "$work/peer.0.log" || true)"
        return 0
    fi
    # "Execution ended after 0:00:20.012345678": PLAYING to end of stream
    ended=$(sed -n 's/^Execution ended after \([0-9]*\):\([0-9]*\):\([0-9.]*\)$/\1 \2 \3/p' \
        "$work/peer.0.log" | awk '{ print $1 * 3600 + $2 * 60 + $3 }') || true
    [[ -n $ended ]] || ended=$elapsed
    frames=$((${#tile_clip[@]} * CLIP_SECONDS * 30))
    peer_line=$(awk -v f="$frames" -v t="$ended" -v c="$cpu" -v e="$elapsed" -v s="$CLIP_SECONDS" \
        -v d="$peer_dec" -v u="$util" 'BEGIN {
        printf "%s: %d frames in %.1f s (clips of %d s): %.1f frames/s%s; whole process %.1f %% of one core%s",
            d, f, t, s, f / t, (t <= s * 1.02 ? ", kept the pace" : ", FELL BEHIND the pace"),
            100 * c / e, (u != "" ? "; GPU: " u : "") }')
}

# One pass of the bare limit over the planned clips, $1 seconds of each (0:
# whole).  Sets pass_elapsed, pass_cpu, pass_rc and pass_frames (frames
# decoded, from ffmpeg's final statistics).
bare_pass() {
    local secs=$1 tag=$2 p i k list=$work/bare-$2.cmds n=${#tile_clip[@]}
    local hw=()
    [[ $hwdec == sw ]] || hw=(-hwaccel cuda -hwaccel_output_format cuda)
    : >"$list"
    rm -f "$work/bare-$tag".*.log
    for ((p = 0; p < bare_procs; p++)); do
        local args=("$sysroot/usr/local/bin/ffmpeg" -nostdin -hide_banner -loglevel verbose) outs=()
        k=0
        for ((i = p; i < n; i += bare_procs)); do
            args+=(-threads 1 "${hw[@]}")
            ((secs)) && args+=(-t "$secs")
            args+=(-i "${tile_clip[i]}")
            outs+=(-map "$k:v:0" -c:v wrapped_avframe -f null -)
            k=$((k + 1))
        done
        printf '%q ' "${args[@]}" "${outs[@]}" >>"$list"
        echo >>"$list"
    done
    read -r pass_elapsed pass_cpu pass_rc < <(python3 "$root/tools/gpu_check_lib/timed.py" "$list" "$work/bare-$tag") ||
        { pass_elapsed=1 pass_cpu=0 pass_rc="timed.py failed"; }
    pass_frames=$(cat "$work/bare-$tag".*.log 2>/dev/null | sed -n 's/.*Input stream #[0-9:]* (video): .* \([0-9][0-9]*\) frames decoded.*/\1/p' |
        awk '{ s += $1 } END { print s + 0 }') || pass_frames=0
}

# The bare limit: a short pass (2 s of each clip) and a whole one; their
# difference leaves out start-up and shutdown.  Sets bare_line, bare_rate.
run_bare() {
    bare_line="" bare_rate=""
    [[ -x $sysroot/usr/local/bin/ffmpeg ]] || { bare_line="skipped: no ffmpeg CLI was built"; return 0; }
    bare_procs=${bare_procs_wanted:-${#tile_clip[@]}}
    ((bare_procs > ${#tile_clip[@]})) && bare_procs=${#tile_clip[@]}
    local short_e short_f
    say "bare limit: ffmpeg CLI, ${#tile_clip[@]} streams in $bare_procs processes, as fast as they decode"
    bare_pass 2 short
    short_e=$pass_elapsed short_f=$pass_frames
    util_after 3 "$work/bare.util" &
    local upid=$!
    bare_pass 0 whole
    wait "$upid" || true
    local util
    util=$(cat "$work/bare.util" 2>/dev/null || true)
    {
        echo "== bare: $(head -n 1 "$work/bare-whole.cmds" | cut -c1-600)..."
        tail -n 8 "$work/bare-whole.0.log" 2>/dev/null || true
    } >>"$out/peers.log"
    local want=$((${#tile_clip[@]} * CLIP_SECONDS * 30))
    if [[ $pass_rc != 0 || $pass_frames -lt $((want * 99 / 100)) ]]; then
        bare_line="failed (exit $pass_rc, $pass_frames of $want frames decoded; see peers.log)"
        return 0
    fi
    bare_rate=$(awk -v f1="$pass_frames" -v f0="$short_f" -v t1="$pass_elapsed" -v t0="$short_e" \
        'BEGIN { printf "%.1f", (t1 > t0 && f1 > f0) ? (f1 - f0) / (t1 - t0) : f1 / t1 }')
    bare_line="$bare_rate frames/s ($pass_frames frames in ${pass_elapsed} s, less a 2-s pass: $short_f in ${short_e} s); $bare_procs processes, CPU $(awk -v c="$pass_cpu" -v e="$pass_elapsed" 'BEGIN { printf "%.0f", 100 * c / e }') % of one core${util:+; GPU: $util}"
}
