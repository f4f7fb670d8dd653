"""all-MiniLM-L6-v2's forward pass in NumPy: mean-pooled, length-normalised sentence vectors.

Why not TensorFlow (through ``transformers``), as before: for one short message the
TensorFlow graph cost 10-25 ms of the Rasa process's CPU and its runtime ~280 MB of memory,
and the Rasa process spends most of a turn on the event loop, so every millisecond here holds
everyone else's turn. The model is small (6 layers, 384 wide), and the same arithmetic in
NumPy gives the same vectors (tests/unit/test_minilm.py compares them with ``transformers``'
TensorFlow BERT to 1e-5) in a few milliseconds. The weights are read from the model's
safetensors file and the WordPiece tokenizer is Hugging Face's own (``tokenizers``), so
nothing here re-implements tokenisation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

LAYER_NORM_EPS = 1e-12
# A padded key gets this added to its attention score, as BERT's "extended attention mask".
MASKED = -1e9


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * gain + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    # BERT's "gelu" is the exact one (erf), not the tanh approximation.
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)).astype(x.dtype))


class _Layer:
    """One transformer layer's weights, transposed once for ``x @ W``."""

    def __init__(self, weights: dict[str, np.ndarray], prefix: str, heads: int) -> None:
        def w(name: str) -> np.ndarray:
            return weights[f"{prefix}.{name}"]

        attention = "attention.self"
        self.heads = heads
        # Query, key and value in one product.
        self.qkv = np.concatenate(
            [w(f"{attention}.{part}.weight").T for part in ("query", "key", "value")], axis=1
        )
        self.qkv_bias = np.concatenate(
            [w(f"{attention}.{part}.bias") for part in ("query", "key", "value")]
        )
        self.attention_out = np.ascontiguousarray(w("attention.output.dense.weight").T)
        self.attention_out_bias = w("attention.output.dense.bias")
        self.attention_norm = (
            w("attention.output.LayerNorm.weight"),
            w("attention.output.LayerNorm.bias"),
        )
        self.intermediate = np.ascontiguousarray(w("intermediate.dense.weight").T)
        self.intermediate_bias = w("intermediate.dense.bias")
        self.output = np.ascontiguousarray(w("output.dense.weight").T)
        self.output_bias = w("output.dense.bias")
        self.output_norm = (w("output.LayerNorm.weight"), w("output.LayerNorm.bias"))

    def __call__(self, x: np.ndarray, key_bias: np.ndarray, batch: int) -> np.ndarray:
        """`x`: (batch * length, width), the tokens of all texts in rows: the dense layers
        are then plain 2-D products (NumPy's stacked 3-D products skip BLAS and were 3x
        slower)."""
        rows, width = x.shape
        length, head_width = rows // batch, width // self.heads
        qkv = x @ self.qkv + self.qkv_bias
        # (rows, 3 * width) -> 3 x (batch, heads, length, head_width)
        q, k, v = np.ascontiguousarray(
            qkv.reshape(batch, length, 3, self.heads, head_width).transpose(2, 0, 3, 1, 4)
        )
        scores = (q @ k.transpose(0, 1, 3, 2)) * np.float32(head_width**-0.5) + key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        context = (probabilities @ v).transpose(0, 2, 1, 3).reshape(rows, width)
        attended = x + context @ self.attention_out + self.attention_out_bias
        x = _layer_norm(attended, *self.attention_norm)
        hidden = _gelu(x @ self.intermediate + self.intermediate_bias)
        return _layer_norm(x + hidden @ self.output + self.output_bias, *self.output_norm)


class MiniLMEncoder:
    """Sentence vectors from a BERT model directory (config, tokenizer.json, safetensors)."""

    def __init__(self, model_dir: Path, max_length: int, batch_size: int) -> None:
        import json

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        weights = load_file(str(model_dir / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()  # batches are padded here, to their own longest
        self.tokenizer.enable_truncation(max_length)
        self.max_length, self.batch_size = max_length, batch_size
        self.dimension = int(config["hidden_size"])

        self.word_embeddings = weights["embeddings.word_embeddings.weight"]
        self.position_embeddings = weights["embeddings.position_embeddings.weight"]
        # Every text is one segment: token type 0 throughout.
        self.type_embedding = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (
            weights["embeddings.LayerNorm.weight"],
            weights["embeddings.LayerNorm.bias"],
        )
        self.layers = [
            _Layer(weights, f"encoder.layer.{index}", int(config["num_attention_heads"]))
            for index in range(int(config["num_hidden_layers"]))
        ]

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]

    def _encode(self, input_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = input_ids.shape
        x = self.word_embeddings[input_ids] + self.position_embeddings[:length]
        x = (x + self.type_embedding).reshape(batch * length, -1)
        x = _layer_norm(x, *self.embedding_norm)
        key_bias = ((1.0 - mask) * MASKED).astype(np.float32)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, key_bias, batch)
        weights = mask.astype(np.float32)[..., None]
        mean = (x.reshape(batch, length, -1) * weights).sum(axis=1) / weights.sum(axis=1)
        return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: list[str]) -> np.ndarray:
        token_ids = self.token_ids(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Batches of similar length waste little work on padding.
        order = np.argsort([len(ids) for ids in token_ids], kind="stable")
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            width = max(len(token_ids[i]) for i in batch)
            input_ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(input_ids)
            for row, i in enumerate(batch):
                input_ids[row, : len(token_ids[i])] = token_ids[i]
                mask[row, : len(token_ids[i])] = 1
            vectors[batch] = self._encode(input_ids, mask)
        return vectors
