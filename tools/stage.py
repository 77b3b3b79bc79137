"""Build one deployable zip per function: main.py, shared/, and a requirements.txt pinned to
exactly what that function imports (an import scan mapped to requirements.txt's pins).

    python -m tools.stage [--out dist/functions] [name ...]

The zips are reproducible (fixed timestamps, sorted entries), so Terraform's content-named
source objects only change, and a function only redeploys, when its code or pins change.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# Needed by every bundle although no module imports it: Cloud Functions runs it.
ALWAYS = ("functions-framework",)
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Bundle:
    """One function's staged zip and the pins it carries."""

    name: str
    path: Path
    requirements: tuple[str, ...]


def pins() -> dict[str, str]:
    """requirements.txt as {normalised distribution name: pin line}."""
    found: dict[str, str] = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0]
            found[_normalise(name)] = line
    return found


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requires(dist_name: str) -> set[str]:
    """Distributions ``dist_name`` needs at run time (environment markers for extras skipped)."""
    found: set[str] = set()
    for line in metadata.distribution(dist_name).requires or []:
        if "extra ==" in line:
            continue
        found.add(_normalise(re.split(r"[=<>!~\[; (]", line, maxsplit=1)[0]))
    return found


@cache
def closure(dist_name: str) -> frozenset[str]:
    """``dist_name`` and everything it installs, transitively."""
    seen: set[str] = set()
    todo = [_normalise(dist_name)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo.extend(_requires(name))
        except metadata.PackageNotFoundError:
            continue  # a marker-excluded dependency (another platform or Python)
    return frozenset(seen)


@cache
def module_owners() -> dict[str, str]:
    """Module prefix (up to three parts, e.g. google.cloud.firestore) → the installed distribution that ships it."""
    owners: dict[str, str] = {}
    for dist_name in sorted(set().union(*(closure(name) for name in pins()))):
        try:
            files = metadata.distribution(dist_name).files or []
        except metadata.PackageNotFoundError:
            continue
        for file in files:
            parts = Path(str(file)).with_suffix("").parts
            if not str(file).endswith(".py") or ".dist-info" in parts[0]:
                continue
            for depth in range(1, min(3, len(parts)) + 1):
                owners.setdefault(".".join(parts[:depth]), dist_name)
    # Namespace packages (google, google.cloud) belong to nobody in particular.
    for shared_prefix in ("google", "google.cloud"):
        owners.pop(shared_prefix, None)
    return owners


def _imports(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (lazy imports count), except under TYPE_CHECKING
    and optional ones (``try: import x`` / ``except ImportError``)."""
    tree = ast.parse(path.read_text(), str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        optional = isinstance(node, ast.Try) and any(
            handler.type is not None and "ImportError" in ast.unparse(handler.type) for handler in node.handlers
        )
        if optional or (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _local_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def third_party_imports(entry: Path) -> set[str]:
    """Modules outside the standard library reached from ``entry`` through shared/ (transitively)."""
    seen: set[Path] = set()
    todo = [entry]
    outside: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _imports(path):
            top = module.split(".")[0]
            if top == "shared":
                local = _local_file(module)
                if local is not None:
                    todo.append(local)
                parent = _local_file(module.rsplit(".", 1)[0])
                if parent is not None:
                    todo.append(parent)
            elif top not in sys.stdlib_module_names and top != "__future__":
                outside.add(module)
    return outside


def requirements_for(entry: Path) -> tuple[str, ...]:
    """The pinned requirement lines a function needs, sorted.

    A module from a distribution that is not pinned itself (google.api_core) is fine when a
    pinned one the function needs installs it; otherwise staging fails, naming the import.
    """
    owners, pinned = module_owners(), pins()
    needed = {_normalise(name) for name in ALWAYS}
    transitive: dict[str, str] = {}
    for module in sorted(third_party_imports(entry)):
        parts = module.split(".")
        owner = next((owners[".".join(parts[:d])] for d in (3, 2, 1) if ".".join(parts[:d]) in owners), None)
        if owner is None and module in ("google", "google.cloud"):
            continue  # a namespace: `from google.cloud import x` also yields google.cloud.x, matched above
        if owner is None:
            raise SystemExit(f"{entry}: imports {module}, which no installed requirement provides")
        if owner in pinned:
            needed.add(owner)
        else:
            transitive[owner] = module
    installed = set().union(*(closure(name) for name in needed))
    for owner, module in transitive.items():
        if owner not in installed:
            raise SystemExit(f"{entry}: imports {module} from {owner}, which requirements.txt does not pin")
    return tuple(sorted(pinned[name] for name in needed))


def _add(archive: zipfile.ZipFile, arcname: str, data: bytes) -> None:
    info = zipfile.ZipInfo(arcname, date_time=_EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def stage(name: str, out: Path) -> Bundle:
    """Write ``out/<name>.zip`` for one function."""
    entry = ROOT / "functions" / name / "main.py"
    requirements = requirements_for(entry)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.zip"
    files = sorted(p for p in (ROOT / "shared").rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    with zipfile.ZipFile(path, "w") as archive:
        _add(archive, "main.py", entry.read_bytes())
        _add(archive, "requirements.txt", ("\n".join(requirements) + "\n").encode())
        for file in files:
            _add(archive, file.relative_to(ROOT).as_posix(), file.read_bytes())
    return Bundle(name, path, requirements)


def function_names() -> list[str]:
    """Every function in infra/resources.yaml."""
    data = yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())
    return sorted(data["functions"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="functions to stage (default: all in infra/resources.yaml)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "functions")
    args = parser.parse_args(argv)
    for name in args.names or function_names():
        bundle = stage(name, args.out)
        print(f"{bundle.path}: {len(bundle.requirements)} pins")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
