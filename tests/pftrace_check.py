#!/usr/bin/env python3
"""Parse a Perfetto trace written by `ccsim trace export --perfetto` with a
protobuf reader of its own (no perfetto or protobuf package) and check it:
every packet parses and has trusted_packet_sequence_id, every event's track
has a TrackDescriptor, slices begin and end in balance per track, and each
track's timestamps never go back. Prints a summary line; exits 1 on a problem.
Field numbers: Perfetto's trace.proto, trace_packet.proto and
track_event/{track_event,track_descriptor,debug_annotation}.proto."""
import sys


def varint(b, i):
    v = s = 0
    while True:
        if i >= len(b):
            raise ValueError("varint runs past the end")
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if not c & 0x80:
            return v, i
        if s > 63:
            raise ValueError("varint longer than 10 bytes")


def fields(b):
    """(field, wire, value) of one message; value is an int or bytes."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 2:
            n, i = varint(b, i)
            if i + n > len(b):
                raise ValueError(f"field {f}: {n} bytes past the end")
            v, i = b[i:i + n], i + n
        elif w == 1:
            v, i = b[i:i + 8], i + 8
        elif w == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"field {f}: wire type {w}")
        yield f, w, v


def main(path):
    data = open(path, "rb").read()
    tracks, events, problems = {}, [], []
    npackets = 0
    for f, w, pkt in fields(data):
        if f != 1 or w != 2:
            raise ValueError(f"Trace field {f} (wire {w}), expected packet = 1")
        npackets += 1
        p = {}
        for pf, _, pv in fields(pkt):
            p[pf] = pv
        if p.get(10) != 1:
            problems.append(f"packet {npackets}: trusted_packet_sequence_id {p.get(10)}")
        if 60 in p:
            d = {df: dv for df, _, dv in fields(p[60])}
            tracks[d[1]] = (d.get(2, b"").decode(), d.get(5))
        if 11 in p:
            e = {"anns": []}
            for ef, _, ev in fields(p[11]):
                if ef == 4:
                    a = {af: av for af, _, av in fields(ev)}
                    e["anns"].append(a[10].decode())
                else:
                    e[ef] = ev
            if 8 not in p:
                problems.append(f"packet {npackets}: track event without timestamp")
            events.append((p.get(8, 0), e))
    depth, last = {}, {}
    counts = {1: 0, 2: 0, 3: 0}
    for ts, e in events:
        t, u = e.get(9), e.get(11)
        if u not in tracks:
            problems.append(f"event on track {u} with no descriptor")
        if ts < last.get(u, 0):
            problems.append(f"track {u}: time goes back from {last[u]} to {ts}")
        last[u] = ts
        counts[t] = counts.get(t, 0) + 1
        if t == 1:
            depth[u] = depth.get(u, 0) + 1
        elif t == 2:
            depth[u] = depth.get(u, 0) - 1
            if depth[u] < 0:
                problems.append(f"track {u}: a slice ends that never began")
        if t in (1, 3) and 23 not in e:
            problems.append(f"track {u}: a begin or instant without a name")
    for u, d in depth.items():
        if d:
            problems.append(f"track {u} ({tracks.get(u, ('?',))[0]}): {d} slices never end")
    for p in problems[:10]:
        print(p)
    names = sorted(n for n, _ in tracks.values())
    print(f"{npackets} packets, {len(tracks)} tracks, {counts[1]} begins, {counts[2]} ends, "
          f"{counts[3]} instants; tracks: {', '.join(names)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
