#!/usr/bin/env python3
"""Writes experiments/data/celeba-tiny: a folder in CelebA's distributed layout (img_align_celeba/
with JPEGs, list_attr_celeba.txt with the 40 attributes, list_eval_partition.txt) small enough to
ship, in which `Blond_Hair` is visible and `Male` is a spurious cue, as in the real data.

Each 18x22 image (CelebA's aligned 178x218 at a tenth) is a face on a grey background with hair
on top (pale yellow if Blond_Hair, dark brown otherwise) and, if Male, a dark beard band on the
chin, at a seeded offset, plus pixel noise. In `train` Blond_Hair goes with not-Male for 3 of 4
images (the spurious correlation, as blond men are rare in CelebA); `val` and `test` are
balanced, 6 images per (Blond_Hair, Male) group. The other 38 attributes are seeded coin flips.
Needs Pillow for the JPEGs; the output is deterministic.

    python3 scripts/make-celeba-tiny.py [OUTPUT_DIR]
"""
import os
import random
import sys

from PIL import Image

WIDTH, HEIGHT = 18, 22
ATTRIBUTES = (
    "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair Blond_Hair "
    "Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup High_Cheekbones "
    "Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose Receding_Hairline Rosy_Cheeks "
    "Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young"
).split()
# partition -> {(blond, male): count}
COUNTS = {
    0: {(1, 0): 18, (1, 1): 6, (0, 0): 6, (0, 1): 18},     # train: blond goes with not-male 75% of the time
    1: {(b, m): 6 for b in (0, 1) for m in (0, 1)},         # val: balanced
    2: {(b, m): 6 for b in (0, 1) for m in (0, 1)},         # test: balanced
}


def face(blond, male, rng):
    image = Image.new("RGB", (WIDTH, HEIGHT), (128, 128, 128))
    px = image.load()
    dx, dy = rng.randint(-2, 2), rng.randint(-1, 1)
    hair = (225, 205, 120) if blond else (70, 45, 30)
    for y in range(HEIGHT):
        for x in range(WIDTH):
            fx, fy = x - (WIDTH / 2 + dx), y - (HEIGHT / 2 + 1 + dy)
            if (fx / 6.5) ** 2 + (fy / 8.5) ** 2 <= 1:
                colour = (220, 180, 150)                        # skin
                if male and fy > 4:
                    colour = (60, 50, 45)                       # beard
                if fy < -4.5:
                    colour = hair
                px[x, y] = colour
            elif 2 + dy <= y <= 6 + dy and abs(fx) <= 8:
                px[x, y] = hair
    for y in range(HEIGHT):
        for x in range(WIDTH):
            px[x, y] = tuple(min(255, max(0, v + rng.randint(-10, 10))) for v in px[x, y])
    return image


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "experiments", "data", "celeba-tiny")
    images = os.path.join(out, "img_align_celeba")
    os.makedirs(images, exist_ok=True)
    rng = random.Random(18)
    rows, partitions = [], []
    blond_column, male_column = ATTRIBUTES.index("Blond_Hair"), ATTRIBUTES.index("Male")
    for partition, groups in COUNTS.items():
        examples = [group for group, n in groups.items() for _ in range(n)]
        rng.shuffle(examples)
        for blond, male in examples:
            name = "%06d.jpg" % (len(rows) + 1)
            face(blond, male, rng).save(os.path.join(images, name), quality=90)
            values = [rng.choice((-1, 1)) for _ in ATTRIBUTES]
            values[blond_column], values[male_column] = (1 if blond else -1), (1 if male else -1)
            rows.append(name + " " + " ".join("%2d" % v for v in values))
            partitions.append("%s %d" % (name, partition))
    with open(os.path.join(out, "list_attr_celeba.txt"), "w", newline="\r\n") as f:
        f.write("%d\n%s \n%s\n" % (len(rows), " ".join(ATTRIBUTES), "\n".join(rows)))
    with open(os.path.join(out, "list_eval_partition.txt"), "w", newline="\r\n") as f:
        f.write("\n".join(partitions) + "\n")


if __name__ == "__main__":
    main()
