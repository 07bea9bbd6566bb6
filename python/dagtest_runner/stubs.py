"""Offline guard: modules listed in ``stub_modules`` import as stubs that fail loudly when used.

Many cursus scripts ``import boto3`` (and ``from botocore.exceptions import ClientError``) at
module top but only use it on code paths a local run does not take (cursus-formats.md §5.3).
A stub lets such a script import, offline and deterministically: the stub wins even when the
real package is installed, so a test run never talks to AWS by accident.

Every attribute of a stub module is a stub class, created on first access and cached per
dotted name. It subclasses Exception, so ``except ClientError:`` and ``isinstance`` work;
calling it (or indexing or iterating it) raises a RuntimeError naming the dotted path, so a
script that really needs the package fails at the line that uses it, with a message that says
why. Dunder names are never stubbed: the import machinery, pickle, copy and inspect probe
them and must see ordinary "no such attribute" answers.
"""

import importlib.util
import sys
import types


def _is_dunder(name):
    return name.startswith("__") and name.endswith("__")


class StubFinder:
    """A ``sys.meta_path`` finder and loader for the listed modules and all their submodules."""

    def __init__(self, names, record):
        self.names = tuple(names)
        self.record = record
        self._classes = {}

    def stubbed_name(self, fullname):
        """The listed name that ``fullname`` falls under, or None."""
        for name in self.names:
            if fullname == name or fullname.startswith(name + "."):
                return name
        return None

    def find_spec(self, fullname, path=None, target=None):
        if self.stubbed_name(fullname) is None:
            return None
        # is_package: `import boto3.session` needs boto3.__path__; origin shows up in reprs.
        return importlib.util.spec_from_loader(fullname, self, origin="dagtest stub", is_package=True)

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module._dagtest_finder = self
        return module

    def exec_module(self, module):
        module.__all__ = []  # `from boto3 import *` imports nothing instead of probing __getattr__
        if module.__name__ in self.names:
            self.record("stub", "%s imported as a stub" % module.__name__)

    def stub(self, dotted, module_name):
        """The stub class for ``dotted`` (an attribute chain starting in module ``module_name``)."""
        cls = self._classes.get(dotted)
        if cls is None:
            namespace = {
                "_dagtest_dotted": dotted,
                "_dagtest_finder": self,
                # Lets pickle find the class again by reference: getattr chain from the module.
                "__module__": module_name,
                "__qualname__": dotted[len(module_name) + 1:],
                "__doc__": "dagtest stub for %s" % dotted,
            }
            cls = _StubMeta(dotted.rpartition(".")[2], (Exception,), namespace)
            self._classes[dotted] = cls
        return cls

    def used(self, dotted):
        """Record that ``dotted`` was used and return the error to raise."""
        self.record("stub", "%s called" % dotted)
        return RuntimeError(
            "dagtest: %s(...) was called, but %r is stubbed (stub_modules in dagtest.yaml); "
            "this script needs the real package or network access here" % (dotted, self.stubbed_name(dotted))
        )


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        # Only reached for attributes the module does not have (submodules are set as real ones).
        if _is_dunder(name) or name == "_dagtest_finder":
            raise AttributeError(
                "module %r (a dagtest stub: stub_modules in dagtest.yaml) has no attribute %r" % (self.__name__, name)
            )
        return self._dagtest_finder.stub("%s.%s" % (self.__name__, name), self.__name__)


class _StubMeta(type):
    """Metaclass of stub classes; a script's own subclass of a stub is an ordinary class."""

    def _dagtest_is_stub(cls):
        return "_dagtest_dotted" in cls.__dict__

    def __call__(cls, *args, **kwargs):
        if not cls._dagtest_is_stub():
            return super().__call__(*args, **kwargs)
        raise cls._dagtest_finder.used(cls._dagtest_dotted)

    def __getattr__(cls, name):
        if not cls._dagtest_is_stub():
            raise AttributeError("type object %r has no attribute %r" % (cls.__name__, name))
        if _is_dunder(name):
            raise AttributeError("%s (a dagtest stub) has no attribute %r" % (cls._dagtest_dotted, name))
        return cls._dagtest_finder.stub("%s.%s" % (cls._dagtest_dotted, name), cls.__module__)

    def __getitem__(cls, key):
        if not cls._dagtest_is_stub():
            raise TypeError("type %r is not subscriptable" % cls.__name__)
        raise cls._dagtest_finder.used(cls._dagtest_dotted)

    def __iter__(cls):
        if not cls._dagtest_is_stub():
            raise TypeError("type %r is not iterable" % cls.__name__)
        raise cls._dagtest_finder.used(cls._dagtest_dotted)

    def __repr__(cls):
        if cls._dagtest_is_stub():
            return "<dagtest stub %s>" % cls._dagtest_dotted
        return super().__repr__()


def install_stubs(names, record):
    """Put a stub finder first on ``sys.meta_path``; ``record(guard, detail)`` logs events.

    Already-imported copies of the listed modules are dropped from ``sys.modules`` so the
    script gets the stub even if something imported the real package earlier.
    """
    finder = StubFinder(names, record)
    for loaded in [name for name in sys.modules if finder.stubbed_name(name)]:
        del sys.modules[loaded]
    sys.meta_path.insert(0, finder)
    return finder
