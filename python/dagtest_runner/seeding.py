"""Seed the global random state before ``main`` when dagtest passes ``DAGTEST_SEED`` (``run.seed``).

Python's ``random`` and NumPy's legacy global generator (which scikit-learn uses when a
``random_state`` is left at None) are always seeded, NumPy only if it is installed. PyTorch,
TensorFlow and others are seeded only when the script has already imported them (its imports ran
at import time, before ``main``): importing a heavy library just to seed it would cost seconds, and
a library the script does not import cannot influence its results. Standard library only.
"""

import random
import sys


def seed_all(raw):
    """Seed from the ``DAGTEST_SEED`` string; return the names seeded (nothing for an empty/bad value)."""
    try:
        seed = int(raw)
    except (TypeError, ValueError):
        return []
    seeded = ["random"]
    random.seed(seed)
    numpy = _numpy()
    if numpy is not None:
        numpy.random.seed(seed % (2**32))
        seeded.append("numpy")
    for name, apply in _LIBRARIES:
        module = sys.modules.get(name)
        if module is None:
            continue
        try:
            apply(module, seed)
            seeded.append(name)
        except Exception:  # noqa: BLE001 - a library that cannot be seeded is left alone
            pass
    return seeded


def _numpy():
    if "numpy" in sys.modules:
        return sys.modules["numpy"]
    try:
        import importlib.util

        if importlib.util.find_spec("numpy") is None:
            return None
        import numpy

        return numpy
    except Exception:  # noqa: BLE001
        return None


def _torch(torch, seed):
    torch.manual_seed(seed)
    cuda = getattr(torch, "cuda", None)
    if cuda is not None and cuda.is_available():
        cuda.manual_seed_all(seed)


def _tensorflow(tf, seed):
    tf.random.set_seed(seed)


def _cupy(cupy, seed):
    cupy.random.seed(seed)


def _mxnet(mx, seed):
    mx.random.seed(seed)


def _paddle(paddle, seed):
    paddle.seed(seed)


_LIBRARIES = (("torch", _torch), ("tensorflow", _tensorflow), ("cupy", _cupy), ("mxnet", _mxnet),
              ("paddle", _paddle))
