"""Writes tests/hostile/data/joblib/: files made by the real joblib, for the scanner tests.

Run by hand with a joblib on the path (the committed files came from joblib 1.6.0, which
pads arrays to 16 bytes, and joblib 1.1.1, the last release that wrote them unpadded):

    PYTHONPATH=/path/to/joblib python -m tests.hostile.make_joblib_corpus

(the sklearn-*.joblib files: scikit-learn 1.9.1 with joblib 1.6.0 on the path).

The scanner never loads these; this script only dumps. The files are committed so the tests
run without joblib installed; tests/hostile/test_joblib_arrays.py also dumps fresh ones when
joblib is importable.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).parent / "data" / "joblib"
# Raw bytes a plain unpickler reads as code (GLOBAL os.system, call, STOP): stored as a uint8
# array, joblib skips them, pickle.load of the same file would run them.
PLAIN_PAYLOAD = b"cos\nsystem\n(S'echo owned'\ntR."


def arrays() -> dict[str, Any]:
    """Every dtype family joblib writes differently, C and F order, several arrays."""
    return {
        "float": np.arange(12, dtype="f8").reshape(3, 4),
        "fortran": np.asfortranarray(np.arange(6, dtype="f4").reshape(2, 3)),
        "int": np.array([99, 99, 1, -5], dtype="<i8"),  # 99 is 'c' (GLOBAL): starts like code
        "big_endian": np.arange(5, dtype=">i4"),
        "bool": np.array([True, False, True]),
        "structured": np.zeros(3, dtype=[("x", "<i4"), ("y", "f8"), ("s", "U3")]),
        "object": np.array([1, "text", None, {"k": 2.5}], dtype=object),
        "object_field": np.array([(1, "a")], dtype=[("n", "i4"), ("o", "O")]),
        "datetime": np.array(["2024-01-02"], dtype="M8[ns]"),
        "unicode": np.array(["alpha", "b"]),
        "subarray": np.zeros(2, dtype=("f8", (2, 2))),
        "empty": np.zeros((0, 3)),
        "scalar": np.array(3.25),
        "complex": np.ones(2, dtype="c16"),
        "tail": "a value after the arrays",
    }


def main() -> None:
    import joblib

    OUT.mkdir(parents=True, exist_ok=True)
    version = joblib.__version__
    for label, compress in (("raw", 0), ("zlib", ("zlib", 3)), ("gzip", ("gzip", 3))):
        joblib.dump(arrays(), OUT / f"arrays-{version}-{label}.joblib", compress=compress)
    try:
        import lz4  # noqa: F401

        joblib.dump(arrays(), OUT / f"arrays-{version}-lz4.joblib", compress=("lz4", 3))
    except ImportError:
        pass
    joblib.dump(arrays(), OUT / f"arrays-{version}-protocol2.joblib", protocol=2)
    joblib.dump(arrays(), OUT / f"arrays-{version}-protocol0.joblib", protocol=0)
    # A list [array, marker] with protocol 2 (no frames): the tests put a payload where the
    # marker is, after the array bytes.
    joblib.dump([np.arange(4, dtype="f8"), "MARKER"], OUT / f"marker-{version}.joblib", protocol=2)
    joblib.dump(
        np.frombuffer(PLAIN_PAYLOAD, dtype="u1").copy(), OUT / f"plain-code-{version}.joblib"
    )


def sklearn_models() -> None:
    """Small fitted sklearn models as users save them (needs scikit-learn on the path):
    trees hold structured node arrays, encoders object arrays, pipelines nest estimators."""
    import joblib
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = (x[:, 0] > 0).astype(int)
    models = {
        "forest": RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0).fit(x, y),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y),
        "encoder": OneHotEncoder().fit(np.array([["a"], ["b"]], dtype=object)),
    }
    for name, model in models.items():
        joblib.dump(model, OUT / f"sklearn-{name}-{joblib.__version__}.joblib", compress=3)


if __name__ == "__main__":
    main()
    with contextlib.suppress(ImportError):
        sklearn_models()
