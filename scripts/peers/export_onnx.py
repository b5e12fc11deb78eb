"""Exports a local BERT-family model directory (default models/all-MiniLM-L6-v2) to ONNX for the
peer benchmark, into a sibling directory <model>-onnx/ laid out as transformers.js reads it
(onnx/model.onnx, config.json, tokenizer.json, tokenizer_config.json); the source directory is
left untouched. The graph takes input_ids, attention_mask, token_type_ids (int64, dynamic batch and
sequence) and returns last_hidden_state. Same weights as semroute loads (model.safetensors);
versions are pinned in requirements.txt.

    scripts/peers/.venv/bin/python scripts/peers/export_onnx.py [--model models/all-MiniLM-L6-v2]
"""

import argparse
import os
import sys

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/all-MiniLM-L6-v2")
    ap.add_argument("--opset", type=int, default=18)
    args = ap.parse_args()

    target = args.model.rstrip("/") + "-onnx"
    out = os.path.join(target, "onnx", "model.onnx")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.manual_seed(0)
    model = AutoModel.from_pretrained(args.model, attn_implementation="eager").eval()
    tok = AutoTokenizer.from_pretrained(args.model)
    model.config.save_pretrained(target)
    tok.save_pretrained(target)
    enc = tok(["a short text", "a somewhat longer text to pad the batch"], padding=True, return_tensors="pt")
    inputs = (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])

    class Wrapper(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    batch = torch.export.Dim("batch", min=1, max=1024)
    seq = torch.export.Dim("sequence", min=1, max=512)
    shapes = {"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}, "token_type_ids": {0: batch, 1: seq}}
    with torch.no_grad():
        torch.onnx.export(
            Wrapper(model),
            inputs,
            out,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_shapes=shapes,
            opset_version=args.opset,
            dynamo=True,
            external_data=False,
        )
        expected = model(**enc).last_hidden_state.numpy()

    # Check the exported graph against PyTorch before any benchmark trusts it.
    import onnx
    from onnx.reference import ReferenceEvaluator

    onnx.checker.check_model(out)
    feeds = {k: v.numpy() for k, v in zip(["input_ids", "attention_mask", "token_type_ids"], inputs)}
    got = ReferenceEvaluator(out).run(None, feeds)[0]
    err = float(np.abs(got - expected).max())
    print(f"wrote {out} ({os.path.getsize(out) / 1e6:.1f} MB); max |onnx - torch| = {err:.2e}")
    if err > 1e-4:
        print("error: the exported graph does not match PyTorch", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
