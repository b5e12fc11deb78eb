"""Validates the files in bench/eval. Exit code 1 on any failure."""
import collections
import glob
import json
import os
import re
import sys

import yaml

from common import EVAL_DIR

ROOT = os.path.dirname(os.path.dirname(EVAL_DIR))
errors = []


def err(msg):
    errors.append(msg)
    print("ERROR:", msg)


def cards_of(path, strict=True):
    cfg = yaml.safe_load(open(path, encoding="utf-8"))
    assert cfg["version"] == "v0.3"
    cards = cfg["routing"]["modelCards"]
    names = [c["name"] for c in cards]
    if not strict:  # the reference seed config: only its card names are used
        return names
    for c in cards:
        if set(c) != {"name", "param_size", "description"}:
            err(f"{path}: card {c['name']} has keys {sorted(c)}")
        if not c["description"].strip():
            err(f"{path}: card {c['name']} has no description")
    models = [m["name"] for m in cfg["providers"]["models"]]
    if models != names:
        err(f"{path}: providers.models {models} != cards {names}")
    decs = cfg["routing"]["decisions"]
    if len(decs) != 1 or decs[0]["name"] != "MoM" or decs[0]["rules"] != {}:
        err(f"{path}: expected exactly one decision MoM with rules {{}}")
    refs = [r["model"] for r in decs[0]["modelRefs"]]
    if refs != names:
        err(f"{path}: modelRefs {refs} != cards {names}")
    if decs[0]["algorithm"] != {"type": "multi_factor", "multi_factor": {"weights": {"quality": 1}}}:
        err(f"{path}: unexpected algorithm {decs[0]['algorithm']}")
    return names


def norm(p):
    return re.sub(r"\W+", " ", p.lower()).strip()


seed_cards = cards_of(os.path.join(ROOT, "test", "reference", "seed-router-config.yaml"), strict=False)
five_cards = cards_of(os.path.join(EVAL_DIR, "five-kinds.yaml"))
dom_cards = cards_of(os.path.join(EVAL_DIR, "domains.yaml"))
if len(five_cards) != 6:
    err(f"five-kinds.yaml has {len(five_cards)} cards, want 6")
if len(dom_cards) != 13:
    err(f"domains.yaml has {len(dom_cards)} cards, want 13")

SPECS = [
    ("seed-eval.jsonl", "se", seed_cards, 50),
    ("five-kinds-eval.jsonl", "fk", five_cards, 40),
    ("domains-eval.jsonl", "dm", dom_cards, 20),
]
all_prompts = {}
for fname, prefix, cards, per_card in SPECS:
    path = os.path.join(EVAL_DIR, fname)
    ids, prompts, counts = set(), set(), collections.Counter()
    n = 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{fname}:{lineno}: does not parse: {e}")
                continue
            n += 1
            if list(row) != ["id", "prompt", "expected", "category"]:
                err(f"{fname}:{lineno}: keys {list(row)}")
            if not re.fullmatch(prefix + r"-\d{3}", row.get("id", "")):
                err(f"{fname}:{lineno}: bad id {row.get('id')}")
            if row["id"] in ids:
                err(f"{fname}:{lineno}: duplicate id {row['id']}")
            ids.add(row["id"])
            p = row["prompt"]
            if not isinstance(p, str) or not p.strip() or p != p.strip():
                err(f"{fname}:{lineno}: empty or untrimmed prompt")
            if norm(p) in prompts:
                err(f"{fname}:{lineno}: duplicate prompt {p[:60]!r}")
            prompts.add(norm(p))
            all_prompts.setdefault(norm(p), []).append(f"{fname}:{row['id']}")
            if row["expected"] not in cards:
                err(f"{fname}:{lineno}: expected {row['expected']!r} is not a card")
            if not isinstance(row["category"], str) or not row["category"]:
                err(f"{fname}:{lineno}: empty category")
            counts[row["expected"]] += 1
    if n != per_card * len(cards):
        err(f"{fname}: {n} rows, want {per_card * len(cards)}")
    for c in cards:
        if counts[c] != per_card:
            err(f"{fname}: {counts[c]} rows for {c}, want {per_card}")
    words = []
    with open(path, encoding="utf-8") as f:
        words = [len(json.loads(l)["prompt"].split()) for l in f]
    print(f"{fname}: {n} rows, per card {dict(counts)}, "
          f"prompt length {min(words)}-{max(words)} words (median {sorted(words)[len(words)//2]})")

cross = {k: v for k, v in all_prompts.items() if len(v) > 1}
for k, v in cross.items():
    print(f"note: same prompt in several files: {v}")

# No exact overlap with the other prompt sets in bench/ (the router's dev/train data).
def strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from strings(v)


other = set()
files = glob.glob(os.path.join(ROOT, "bench", "**", "*.jsonl"), recursive=True)
files += glob.glob(os.path.join(ROOT, "bench", "**", "*.json"), recursive=True)
for path in files:
    if os.path.abspath(path).startswith(EVAL_DIR + os.sep):
        continue
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:
        docs = []
        for line in text.splitlines():
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    for d in docs:
        for s in strings(d):
            if len(s.split()) >= 3:
                other.add(norm(s))
overlap = [v for k, v in all_prompts.items() if k in other]
if overlap:
    err(f"prompts also present in other bench/ files: {overlap}")
else:
    print(f"no exact overlap with {len(other)} strings in other bench/ JSON/JSONL files")


def toks(s):
    return set(s.split())


near = []
other_toks = [(o, toks(o)) for o in other]
for k, v in all_prompts.items():
    kt = toks(k)
    if len(kt) < 4:
        continue
    for o, ot in other_toks:
        if len(kt & ot) / len(kt | ot) >= 0.8:
            near.append((v, o[:80]))
            break
for v, o in near:
    print(f"note: near-duplicate of another bench/ string: {v} ~ {o!r}")

tax = json.load(open(os.path.join(ROOT, "packages", "router", "library", "taxonomy.json"), encoding="utf-8"))
task_ids = [t["id"] for t in tax["tasks"]]
te = json.load(open(os.path.join(EVAL_DIR, "task-expectations.json"), encoding="utf-8"))
if not isinstance(te.get("notes"), str) or not te["notes"]:
    err("task-expectations.json: missing notes")
for name, cards in (("seed", seed_cards), ("five-kinds", five_cards), ("domains", dom_cards)):
    m = te.get(name, {})
    if sorted(m) != sorted(task_ids) or len(task_ids) != 58:
        err(f"task-expectations.json[{name}]: task ids differ from taxonomy")
    for t, v in m.items():
        if v is not None and v not in cards:
            err(f"task-expectations.json[{name}][{t}] = {v!r} is not a card")
    print(f"task-expectations.json[{name}]: {sum(v is not None for v in m.values())}/58 set, "
          f"{sum(v is None for v in m.values())} null")

if errors:
    print(f"{len(errors)} error(s)")
    sys.exit(1)
print("all checks passed")
