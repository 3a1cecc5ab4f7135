#!/usr/bin/env python3
"""Writes experiments/data/waterbirds-tiny: a Waterbirds-shaped folder (metadata.csv + PNGs) small
enough to ship, in which the label is visible and the place is a spurious cue, as in the real data.

Each 16x16 image is a background (green land or blue water, the `place`) with a bird drawn on it
(a dark round landbird or a pale long waterbird, the label `y`) at a seeded position, plus pixel
noise. In `train` the place agrees with the label for 3 of 4 birds (the spurious correlation);
`val` and `test` are balanced, 6 images per (label, place) group, so DFR has held-out examples of
every group in both of its halves. Standard library only; the output is deterministic.

    python3 scripts/make-waterbirds-tiny.py [OUTPUT_DIR]
"""
import os
import random
import struct
import sys
import zlib

SIZE = 16
BACKGROUNDS = {0: (70, 150, 60), 1: (50, 90, 190)}     # place: land, water
# split code -> {(y, place): count}
COUNTS = {
    0: {(0, 0): 18, (0, 1): 6, (1, 0): 6, (1, 1): 18},     # train: place agrees with the label 75% of the time
    1: {(y, p): 6 for y in (0, 1) for p in (0, 1)},         # val: balanced
    2: {(y, p): 6 for y in (0, 1) for p in (0, 1)},         # test: balanced
}


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def image(y, place, rng):
    pixels = [[list(BACKGROUNDS[place]) for _ in range(SIZE)] for _ in range(SIZE)]
    if y == 0:   # landbird: a dark brown disc, radius 3
        cx, cy = rng.randint(4, 11), rng.randint(4, 11)
        for r in range(SIZE):
            for c in range(SIZE):
                if (r - cy) ** 2 + (c - cx) ** 2 <= 9:
                    pixels[r][c] = [90, 50, 20]
    else:        # waterbird: a pale bar, 9 wide and 3 high
        x0, y0 = rng.randint(1, 6), rng.randint(2, 11)
        for r in range(y0, y0 + 3):
            for c in range(x0, x0 + 9):
                pixels[r][c] = [235, 235, 210]
    return [[min(255, max(0, v + rng.randint(-12, 12))) for px in row for v in px] for row in pixels]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "experiments", "data", "waterbirds-tiny")
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    for name in os.listdir(os.path.join(out, "images")):
        os.remove(os.path.join(out, "images", name))
    rng = random.Random(17)
    rows = ["img_id,img_filename,y,split,place"]
    n = 0
    for split, groups in COUNTS.items():
        for (y, place), count in groups.items():
            for _ in range(count):
                n += 1
                name = f"images/{n:03d}.png"
                with open(os.path.join(out, name), "wb") as f:
                    f.write(png(SIZE, SIZE, image(y, place, rng)))
                rows.append(f"{n},{name},{y},{split},{place}")
    with open(os.path.join(out, "metadata.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"wrote {n} images and metadata.csv to {out}")


if __name__ == "__main__":
    main()
