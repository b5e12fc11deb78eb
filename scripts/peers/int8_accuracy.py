"""How close int8 products would keep all-MiniLM-L6-v2's sentence vectors to f32, before writing an
int8 kernel (issue 13's lever: "int8 weights with per-row scales ... cosine >= 0.999").

Every nn.Linear of the encoder is replaced by a simulated int8 product (values rounded to the int8
grid of their scale and multiplied back; sums in f32, as an integer kernel with f32 rescaling
computes them), for these schemes:
  w8-channel        weights per output channel (one scale per row of W), activations f32
  w8a8-channel-row  + activations per input row (per token), symmetric int8 (a VNNI kernel's shape)
  w8-g{G}, w8a8-g{G}  one scale per group of G consecutive inputs, for weights (and activations)
Mean pooling and normalisation as the router does. The prompts are those of the router's evaluation
sets (bench/routing-set.jsonl, bench/eval/*-eval.jsonl); writes reports/int8-accuracy.json.

    scripts/peers/.venv/bin/python scripts/peers/int8_accuracy.py [--model models/all-MiniLM-L6-v2]
"""

import argparse
import json
import os

import torch
from transformers import AutoModel, AutoTokenizer


def fake_quant(t: torch.Tensor, group: int | None) -> torch.Tensor:
    """Symmetric int8 over the last dim, one scale per row (group None) or per group of inputs."""
    shape = t.shape
    g = t.reshape(*shape[:-1], shape[-1] // group, group) if group else t.unsqueeze(-2)
    scale = g.abs().amax(-1, keepdim=True).clamp_min(1e-12) / 127
    return (torch.round(g / scale).clamp(-127, 127) * scale).reshape(shape)


class QuantLinear(torch.nn.Module):
    def __init__(self, lin: torch.nn.Linear, group: int | None, acts: bool):
        super().__init__()
        self.w = fake_quant(lin.weight.detach(), group)
        self.b = lin.bias.detach() if lin.bias is not None else None
        self.group, self.acts = group, acts

    def forward(self, x):
        if self.acts:
            x = fake_quant(x, self.group)
        return torch.nn.functional.linear(x, self.w, self.b)


def embed(model, tok, texts):
    out = []
    with torch.no_grad():
        for t in texts:
            enc = tok([t], return_tensors="pt", truncation=True, max_length=256)
            h = model(**enc).last_hidden_state[0]
            v = h.mean(0)
            out.append(v / v.norm())
    return torch.stack(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/all-MiniLM-L6-v2")
    ap.add_argument("--out", default="reports/int8-accuracy.json")
    args = ap.parse_args()
    files = ["bench/routing-set.jsonl"] + [
        os.path.join("bench/eval", f) for f in sorted(os.listdir("bench/eval")) if f.endswith("-eval.jsonl")
    ]
    texts = []
    for f in files:
        for line in open(f, encoding="utf-8"):
            if line.strip():
                it = json.loads(line)
                texts.append(it.get("prompt") or it["messages"][-1]["content"])
    tok = AutoTokenizer.from_pretrained(args.model)
    torch.set_num_threads(2)
    ref = embed(AutoModel.from_pretrained(args.model).eval(), tok, texts)
    schemes = [("w8-channel", None, False), ("w8a8-channel-row", None, True)]
    for g in (32, 64, 128):
        schemes += [(f"w8-g{g}", g, False), (f"w8a8-g{g}", g, True)]
    results = {}
    for name, group, acts in schemes:
        model = AutoModel.from_pretrained(args.model).eval()
        layers = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
        for n, m in layers:
            parent = model.get_submodule(n.rsplit(".", 1)[0])
            setattr(parent, n.rsplit(".", 1)[1], QuantLinear(m, group, acts))
        cos = (embed(model, tok, texts) * ref).sum(1)
        results[name] = {
            "min": round(cos.min().item(), 6),
            "p1": round(cos.quantile(0.01).item(), 6),
            "median": round(cos.median().item(), 6),
            "below_0.999": int((cos < 0.999).sum().item()),
        }
        print(f"{name:18s} cosine to f32 over {len(texts)} prompts: {results[name]}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"model": args.model, "prompts": len(texts), "files": files, "schemes": results}, fh, indent=2)
        fh.write("\n")
    print(f"report: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
