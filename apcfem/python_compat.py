"""Work-around for a memory leak of ``functools.singledispatchmethod`` in some Python versions.

Python 3.13.0 (the cache is new in 3.13, CPython gh-85160; later 3.13 releases fix it, gh-127750)
caches the bound dispatcher of a ``singledispatchmethod`` per instance in a ``WeakKeyDictionary``
whose value (a closure) refers to its own key, so no instance whose method was dispatched is
ever freed. UFL's DAG traversers (form differentiation) and FFCx's code formatters dispatch that
way and hold the expressions they visited: every form keeps its mesh, and each DOLFINx mesh holds
duplicated MPI communicators. A long process that builds many meshes (a parameter study, a test session) then
exhausts MPICH's 2048 communicator contexts and aborts. Setting the descriptor's cache to
``None`` takes the uncached path that CPython's own code provides.
"""

import functools
import importlib
import inspect

_DISPATCHING_MODULES = (
    "ufl.corealg.dag_traverser",
    "ufl.algorithms.apply_derivatives",
    "ufl.algorithms.apply_coefficient_split",
    "ffcx.codegeneration.C.formatter",
)


def _has_leaking_cache() -> bool:
    return hasattr(functools.singledispatchmethod(lambda self, x: x), "_method_cache")


def disable_singledispatch_method_caches(modules=_DISPATCHING_MODULES) -> int:
    """Turn off the per-instance cache of every ``singledispatchmethod`` defined on a class of
    ``modules`` (modules that cannot be imported are skipped). Returns how many were turned
    off; 0 on Pythons without the cache."""
    if not _has_leaking_cache():
        return 0
    count = 0
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for attribute in vars(cls).values():
                if isinstance(attribute, functools.singledispatchmethod):
                    attribute._method_cache = None
                    count += 1
    return count
