"""pyodide._package_loader as the page's Python has it: the names Pyodide's start reads, and
none of installing packages (`loadPackage`), which the page never does. The real module imports
shutil, tempfile, zipfile and pathlib as Pyodide starts, for that installing alone."""

from site import getsitepackages

# Held as Pyodide's own module holds it: see webloop.py beside this.
from pyodide_js import loadedPackages  # noqa: F401


class _Folder:
    """A folder as Pyodide's JavaScript reads it: by calling `__str__` on it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __str__(self) -> str:
        return self.path


SITE_PACKAGES = _Folder(getsitepackages()[0])
DSO_DIR = _Folder("/usr/lib")


def init_loaded_packages() -> None:
    """Pyodide records each package already installed; the page installs none."""
