"""Shared helpers for writing the evaluation JSONL files."""
import json
import os

EVAL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_jsonl(filename, prefix, items):
    """items: list of (expected, category, prompt). Writes ids prefix-001..."""
    path = os.path.join(EVAL_DIR, filename)
    with open(path, "w", encoding="utf-8") as f:
        for i, (expected, category, prompt) in enumerate(items, 1):
            row = {
                "id": f"{prefix}-{i:03d}",
                "prompt": prompt.strip("\n"),
                "expected": expected,
                "category": category,
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(items)} rows to {path}")
