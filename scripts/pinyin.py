#!/usr/bin/env python3
"""Writes Resources/Pinyin/readings.txt: the toneless pinyin readings of the CJK characters
U+3400–U+9FFF (up to three per character), for search by pinyin and by initials. A character's
commonest reading is listed after `=`, its others after `~` (`shen=身` and `juan~身`): initials use
the commonest (身份证: sfz, not jbz), search any. Needs pypinyin (pip install pypinyin); run from
the repository's root."""
import collections
import os
import unicodedata

from pypinyin.pinyin_dict import pinyin_dict


def toneless(s):
    s = unicodedata.normalize("NFD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).replace("ü", "v").lower()


by_syllable = collections.defaultdict(list)
others = collections.defaultdict(list)
for cp, readings in sorted(pinyin_dict.items()):
    if not 0x3400 <= cp <= 0x9FFF:
        continue
    seen = []
    for r in readings.split(","):
        r = toneless(r)
        if r and r.isascii() and r.isalpha() and r not in seen:
            seen.append(r)
    for i, r in enumerate(seen[:3]):
        (by_syllable if i == 0 else others)[r].append(chr(cp))
lines = collections.defaultdict(list)
for syllable in sorted(set(by_syllable) | set(others)):
    if by_syllable[syllable]:
        lines[syllable[0]].append(syllable + "=" + "".join(by_syllable[syllable]))
    if others[syllable]:
        lines[syllable[0]].append(syllable + "~" + "".join(others[syllable]))
os.makedirs("Resources/Pinyin", exist_ok=True)
with open("Resources/Pinyin/readings.txt", "w") as f:
    f.write("# Toneless pinyin readings of CJK characters (U+3400–U+9FFF), up to three per character, for search by\n")
    f.write("# pinyin and initials. One line per first letter, separated by spaces: syllable=characters whose\n")
    f.write("# commonest reading it is, syllable~characters it is another reading of.\n")
    f.write("# Generated from pypinyin (MIT; its data from mozillazg/pinyin-data, MIT) by scripts/pinyin.py.\n")
    for k in sorted(lines):
        f.write(" ".join(lines[k]) + "\n")
