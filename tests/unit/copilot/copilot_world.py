"""Small procedure files and a tiny sentence encoder made in the test (the real weights are not needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from plexlabor.copilot.procedures import Procedure, read_procedures

GUIDES: list[dict[str, Any]] = [
    {
        "guide_id": 1,
        "title": "Replacing the spindle belt",
        "tools": ["Hex key 5 mm", "Safety glasses"],
        "steps": [
            {"order": 0, "text": "Lock out the mill at the main disconnect and wait for the spindle to stop."},
            {"order": 1, "text": "Remove the four screws of the belt guard with the hex key."},
            {"order": 2, "text": "Slide the worn belt off both pulleys and fit the new belt, then tension it."},
        ],
    },
    {
        "guide_id": 2,
        "title": "Cleaning the coolant tank",
        "tools": ["Wet vacuum", "Nitrile gloves"],
        "steps": [
            {"order": 1, "text": "Pump the coolant out of the sump into the waste drum."},
            {"order": 0, "text": "Put on nitrile gloves before touching used coolant."},
            {"order": 2, "text": "Vacuum chips and sludge from the tank floor, then refill with fresh coolant mix."},
        ],
    },
    {
        "guide_id": 3,
        "title": "Changing a drill chuck",
        "tools": [],
        "steps": [
            {"order": 0, "text": "Open the chuck jaws fully and remove the retaining screw inside."},
            {"order": 1, "text": "Tap the chuck loose with a mallet and thread the new chuck onto the spindle."},
        ],
    },
    {
        "guide_id": 4,
        "title": "Sharpening the band saw blade",
        "tools": [" ", "a", "b"],
        "steps": [{"order": 0, "text": "File each tooth of the saw blade at the same angle, two strokes per tooth."}],
    },
]


def lines(guides: list[dict[str, object]] | None = None) -> list[str]:
    return [json.dumps(guide) for guide in (guides or GUIDES)]


def procedures() -> list[Procedure]:
    return read_procedures(lines())


def write_tiny_encoder(folder: Path, seed: int = 7) -> Path:
    """A 2-layer, 8-wide BERT with random weights and a WordPiece vocabulary of the fixtures' words."""
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    words = sorted({w for g in GUIDES for s in g["steps"] for w in s["text"].lower().replace(".", " ").split()})
    vocab = {token: i for i, token in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *words])}
    tokenizer = Tokenizer(WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
    )
    hidden, inner, layers = 8, 16, 2
    rng = np.random.default_rng(seed)

    def rand(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    weights = {
        "embeddings.word_embeddings.weight": rand(len(vocab), hidden),
        "embeddings.position_embeddings.weight": rand(64, hidden),
        "embeddings.token_type_embeddings.weight": rand(2, hidden),
        "embeddings.LayerNorm.weight": np.ones(hidden, np.float32),
        "embeddings.LayerNorm.bias": np.zeros(hidden, np.float32),
    }
    for layer in range(layers):
        p = f"encoder.layer.{layer}."
        for name, (out, into) in {
            "attention.self.query": (hidden, hidden),
            "attention.self.key": (hidden, hidden),
            "attention.self.value": (hidden, hidden),
            "attention.output.dense": (hidden, hidden),
            "intermediate.dense": (inner, hidden),
            "output.dense": (hidden, inner),
        }.items():
            weights[p + name + ".weight"], weights[p + name + ".bias"] = rand(out, into), rand(out)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            weights[p + norm + ".weight"] = np.ones(hidden, np.float32)
            weights[p + norm + ".bias"] = np.zeros(hidden, np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(folder / "model.safetensors"))
    (folder / "tokenizer.json").write_text(tokenizer.to_str())
    config = {"hidden_size": hidden, "num_attention_heads": 2, "num_hidden_layers": layers, "layer_norm_eps": 1e-12}
    (folder / "config.json").write_text(json.dumps(config))
    return folder
