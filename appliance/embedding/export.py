"""Exporting a sentence-transformers model to ONNX, checked against the model itself.

Needs torch and sentence-transformers, so only set-up, builds and the first start of an
installation from source import it. The whole sentence-transformers pipeline (transformer,
pooling, any Dense or Normalize layers) is exported as one graph, so a model folder with
another pooling than all-MiniLM-L6-v2's mean pooling is exported just as faithfully.

An export that does not give the reference's vectors (lowest cosine on German office texts
below MIN_COSINE) is refused rather than used.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from appliance.embedding.model_folder import bundled_model_path, model_fingerprint
from appliance.embedding.onnx_engine import OnnxEmbedder
from appliance.embedding.onnx_model import EXPORT_FORMAT, META_FILE, OnnxModel
from appliance.embedding.torch_engine import load_sentence_transformer

log = logging.getLogger("appliance.embedding")

MIN_COSINE = 0.9999
# The TorchScript exporter: its graph runs 27 % faster on ONNX Runtime than the dynamo
# exporter's for this model (119 vs 93 texts/s on one thread, same vectors, measured here).
OPSET = 17
# In the order the wrapper's forward() takes them.
INPUT_ORDER = ("input_ids", "attention_mask", "token_type_ids")
# Texts the export is checked on: what an office writes, of different lengths, so the
# padding of a batch is part of the check.
CHECK_TEXTS = (
    "Gäste-WC erneuern",
    "Brenner tauschen, Ölheizung Baujahr 1992 im Keller",
    "Dachrinnenreparatur am Einfamilienhaus, Fallrohre aus Titanzink erneuern",
    "Badsanierung: alte Fliesen abschlagen, bodengleiche Dusche mit Ablaufrinne einbauen, "
    "neues Wand-WC mit Vorwandinstallation und Waschtisch montieren.",
    "Zählerschrank nach TAB 2019 umbauen, FI-Schutzschalter nachrüsten, E-Check",
    "Angebot Nr. 2026-114: 14 m² Parkett schleifen und ölen, Sockelleisten neu",
)


class ExportCheckError(RuntimeError):
    """The exported model does not give the reference's vectors."""


class _SentenceEmbedding(torch.nn.Module):
    """The sentence-transformers pipeline with tensors in and the sentence vector out."""

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        features = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            features["token_type_ids"] = token_type_ids
        embedding: torch.Tensor = self.model(features)["sentence_embedding"]
        return embedding


def export_onnx(model_path: Path | None, destination: Path) -> float:
    """Write `model_path`'s export into the empty folder `destination`; the lowest cosine.

    Raises ExportCheckError when the export's vectors differ from the reference's.
    """
    model = load_sentence_transformer(model_path)
    tokenizer = model.tokenizer
    if not getattr(tokenizer, "is_fast", False):
        raise ExportCheckError("the model's tokenizer has no tokenizer.json (fast tokenizer)")
    sample = tokenizer(list(CHECK_TEXTS[:2]), padding=True, return_tensors="pt")
    inputs = tuple(name for name in INPUT_ORDER if name in sample)
    dynamic = {"batch": 0, "sequence": 1}
    with torch.no_grad(), warnings.catch_warnings():
        # The exporter explains its internals at length; its result is checked below.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _SentenceEmbedding(model).eval(),
            tuple(sample[name] for name in inputs),
            str(destination / "model.onnx"),
            input_names=list(inputs),
            output_names=["sentence_embedding"],
            dynamic_axes={
                **{name: {v: k for k, v in dynamic.items()} for name in inputs},
                "sentence_embedding": {0: "batch"},
            },
            opset_version=OPSET,
            dynamo=False,
            verbose=False,
        )
    tokenizer.backend_tokenizer.save(str(destination / "tokenizer.json"))
    meta = {
        "format": EXPORT_FORMAT,
        "source": str(model_path or bundled_model_path()),
        "fingerprint": model_fingerprint(model_path or bundled_model_path()),
        "dimension": int(model.get_embedding_dimension()),
        "max_seq_length": int(model.max_seq_length),
        "inputs": list(inputs),
        "do_lower_case": bool(getattr(model[0], "do_lower_case", False)),
        "pad_token": str(tokenizer.pad_token),
        "pad_id": int(tokenizer.pad_token_id),
        "torch": torch.__version__,
        "opset": OPSET,
    }
    # The meta file marks the export complete: write it only once the check passed.
    lowest = _lowest_cosine(model, destination, meta)
    meta["lowest_cosine"] = lowest
    (destination / META_FILE).write_text(json.dumps(meta, indent=2), "utf-8")
    log.info("exported %s to ONNX, lowest cosine to the reference %.6f", meta["source"], lowest)
    return lowest


def _lowest_cosine(model: Any, folder: Path, meta: dict[str, Any]) -> float:
    exported = OnnxEmbedder(lambda: OnnxModel.described(folder, meta), "export check")
    candidate = exported.embed(list(CHECK_TEXTS))
    reference = model.encode(list(CHECK_TEXTS), normalize_embeddings=True)
    lowest = float(np.min(np.sum(candidate * reference, axis=1)))
    if lowest < MIN_COSINE:
        raise ExportCheckError(
            f"the ONNX export differs from the model (lowest cosine {lowest:.6f}, "
            f"at least {MIN_COSINE} required)"
        )
    return lowest
