"""The parts of the clean-system proof (.ci/clean-system) about releases and updates: a
throwaway signing key, the release command run for version N and for N+1 (from a copy of the
tree that says N+1), the package repositories served on loopback, what the packages add to
the system, the .rpm repository checked with rpm's own tools, and the two repositories apt
must refuse (signed by another key; a package changed after signing)."""

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import release  # noqa: E402  (the release command's own code: one way to publish)
from release import run  # noqa: E402

REPO = HERE.parent.parent
PREFERRED_PORT = 47811


def make_key(folder: Path, name: str) -> Path:
    """A throwaway OpenPGP signing key, made on the fly, its secret exported to a file in
    `folder` (never in the repository)."""
    home = folder / "gnupg"
    home.mkdir(parents=True, mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    run("gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key",
        f"{name} <release@computedesk.example>", "ed25519", "sign", "never", env=env,
        capture_output=True)
    key = folder / "secret.asc"
    key.write_bytes(subprocess.run(["gpg", "--batch", "--armor", "--export-secret-keys"], env=env,
                                   check=True, capture_output=True).stdout)
    return key


class Served:
    """A folder served over HTTP on loopback, as a company's web server would serve the
    repositories; `show(folder)` changes what it serves (a symlink, read per request)."""

    def __init__(self, work: Path):
        self.link = work / "served"
        handler = functools.partial(Quiet, directory=str(self.link))
        # The same port from run to run when it is free: the address is compiled into the
        # packages, and an unchanged one lets the next run reuse the build.
        try:
            self.server = http.server.ThreadingHTTPServer(("127.0.0.1", PREFERRED_PORT), handler)
        except OSError:
            self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def show(self, folder: Path):
        tmp = self.link.with_name("served.next")
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(folder)
        os.replace(tmp, self.link)

    def close(self):
        self.server.shutdown()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def release_env(key: Path, url: str, homepage: str | None) -> dict:
    """The environment a release runs in, in this tree or in a copy of it: the release's
    configuration, and this run's build folder named outright, so that a copy builds where
    the checkout does (reusing its build) and its packages are found there."""
    return {**os.environ, "CARGO_TARGET_DIR": str(release.TARGET), "COMPUTE_DESK_SIGNING_KEY": str(key),
            "COMPUTE_DESK_UPDATES_URL": url, "COMPUTE_DESK_HOMEPAGE": homepage or ""}


def release_into(tree: Path, version: str, repo: Path, key: Path, url: str, homepage: str | None):
    """`bash .ci/release VERSION --repo REPO` in `tree`, with the release's configuration."""
    done = run("bash", tree / ".ci/release", version, "--repo", repo, env=release_env(key, url, homepage),
               capture_output=True)
    for line in done.stdout.splitlines():
        print(f"  {line}")


def next_version(version: str) -> str:
    major, minor, patch = release.version_tuple(version)
    return f"{major}.{minor}.{patch + 1}"


def next_tree(into: Path, version: str) -> Path:
    """A copy of the tree (its files as git sees them) that says `version`, with a “What's
    new” for it: the next release, as a developer would prepare it. Kept in `into` between
    runs, files rewritten only when they changed, so the build cache stays warm."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=True)
    wanted = {p for p in listed.stdout.decode().split("\0") if p and (REPO / p).is_file()}
    current = release.cargo_version(REPO)
    entry = (f"## {version}\n\n### English\n- Machines you start show their new state sooner.\n\n"
             f"### Español\n- Las máquinas que inicia muestran antes su nuevo estado.\n\n")
    # The files that say the version, as the developer changes them.
    changed = {
        "Cargo.toml": lambda t: t.replace(f'version = "{current}"', f'version = "{version}"', 1),
        "Cargo.lock": lambda t: t.replace(f'name = "compute-desk"\nversion = "{current}"',
                                          f'name = "compute-desk"\nversion = "{version}"', 1),
        "CHANGELOG.md": lambda t: t.replace("\n## ", f"\n{entry}## ", 1),
    }
    # Files an earlier copy had that the tree no longer has (a file moved into a folder of
    # its own, say) are removed: left behind, they would be built with the rest.
    manifest = into / ".copied-files"
    if manifest.exists():
        copied = set(manifest.read_text().split("\0")) - {""}
    else:
        # A copy from before the manifest: every file but what its builds installed.
        copied = {str(f.relative_to(into)) for f in into.rglob("*")
                  if f.is_file() and not {"node_modules", "target"} & set(f.relative_to(into).parts)}
    for rel in copied - wanted:
        stale = into / rel
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
    for rel in wanted:
        src, dst = REPO / rel, into / rel
        data = src.read_bytes()
        if rel in changed:
            data = changed[rel](data.decode()).encode()
        # Written only when it differs: an unchanged file keeps its time, and the build
        # cache its work.
        if dst.exists() and dst.read_bytes() == data:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(data)
        shutil.copymode(src, dst)
    manifest.write_text("\0".join(sorted(wanted)))
    return into


def repack(deb: Path, version: str, into: Path) -> Path:
    """`deb` as a package of `version` (its control file changed): a newer version for apt
    to be offered by a repository it must refuse."""
    tree = into / "tree"
    run("dpkg-deb", "-R", deb, tree)
    control = tree / "DEBIAN/control"
    control.write_text(re.sub(r"^Version: .*$", f"Version: {version}", control.read_text(), flags=re.M))
    out = into / f"compute-desk_{version}_amd64.deb"
    run("dpkg-deb", "--root-owner-group", "-b", tree, out, capture_output=True)
    shutil.rmtree(tree)
    return out


def refused_repositories(work: Path, published: Path, newer_deb: Path, key: Path, foreign: Path):
    """Two copies of `published`, each offering `newer_deb`: one signed by `foreign`, one
    signed by the release key whose package is then changed. Returns (foreign, changed)."""
    made = []
    for name, signing, change in (("foreign-key", foreign, False), ("changed-package", key, True)):
        repo = work / f"repository-{name}"
        shutil.copytree(published, repo, symlinks=True)
        signer = release.Signer(signing, work / f"{name}-gnupg")
        release.publish_apt(repo / "apt", newer_deb, signer, "tampered")
        if change:
            pool = next((repo / "apt/pool").rglob(newer_deb.name))
            data = bytearray(pool.read_bytes())
            data[-100] ^= 0xFF
            pool.write_bytes(bytes(data))
        made.append(repo)
    return tuple(made)


def check_packages_add_the_repository(deb_tree: Path, rpm: Path, url: str):
    """The .deb's apt source and its own keyring; the .rpm's repo file with gpgcheck on."""
    sources = deb_tree / release.SOURCES_PATH.lstrip("/")
    keyring = deb_tree / release.KEYRING_PATH.lstrip("/")
    if not sources.is_file() or not keyring.is_file():
        raise AssertionError(f"the .deb adds no repository: {sources} or {keyring} missing")
    text = sources.read_text()
    for want in (f"URIs: {url}/apt", f"Signed-By: {release.KEYRING_PATH}"):
        if want not in text:
            raise AssertionError(f"the .deb's apt source lacks “{want}”:\n{text}")
    print(f"  the .deb adds {release.SOURCES_PATH} (Signed-By its own {release.KEYRING_PATH})")
    files = run("rpm", "-qlp", rpm, capture_output=True).stdout.split()
    for want in (release.YUM_REPO_PATH, release.RPM_KEY_PATH):
        if want not in files:
            raise AssertionError(f"the .rpm has no {want}")
    unpacked = subprocess.Popen(["rpm2cpio", str(rpm)], stdout=subprocess.PIPE)
    cpio = subprocess.run(["cpio", "-i", "--quiet", "--to-stdout", f".{release.YUM_REPO_PATH}"],
                          stdin=unpacked.stdout, capture_output=True, check=True).stdout.decode()
    unpacked.wait()
    for want in ("gpgcheck=1", f"baseurl={url}/rpm", f"gpgkey=file://{release.RPM_KEY_PATH}"):
        if want not in cpio:
            raise AssertionError(f"the .rpm's repo file lacks “{want}”:\n{cpio}")
    print(f"  the .rpm adds {release.YUM_REPO_PATH} (gpgcheck=1, its key in {release.RPM_KEY_PATH})")


def check_rpm_repository(rpm_repo: Path, work: Path) -> int:
    """rpm's own checks of the signed package with the repository's key, gpgv of the signed
    metadata, and every file repomd.xml names at its checksum. Returns the packages held."""
    db = work / "rpmdb"
    db.mkdir()
    key = rpm_repo / release.RPM_KEY_NAME
    run("rpmkeys", "--dbpath", db, "--import", key)
    packages = sorted(rpm_repo.glob("*.rpm"))
    for package in packages:
        said = run("rpmkeys", "--dbpath", db, "--checksig", "-v", package, capture_output=True).stdout
        if "Signature, key ID" not in said or "NOT OK" in said or "NOKEY" in said:
            raise AssertionError(f"rpm does not find {package.name} signed by the key:\n{said}")
    keyring = work / "rpm-repo-key.gpg"
    run("gpg", "--batch", "--yes", "--dearmor", "--output", keyring, key)
    repomd = rpm_repo / "repodata/repomd.xml"
    run("gpgv", "--keyring", keyring, repomd.with_suffix(".xml.asc"), repomd, capture_output=True)
    # The repomd format's XML namespace (a name, never fetched).
    ns = {"r": "http://linux.duke.edu/metadata/repo"}
    for data in ET.parse(repomd).getroot().findall("r:data", ns):
        href = data.find("r:location", ns).get("href")
        checksum = data.find("r:checksum", ns)
        got = hashlib.new(checksum.get("type"), (rpm_repo / href).read_bytes()).hexdigest()
        if got != checksum.text:
            raise AssertionError(f"{href}: {checksum.get('type')} {got}, repomd.xml says {checksum.text}")
    print(f"  .rpm repository: {len(packages)} packages signed (rpmkeys --checksig), repomd.xml "
          "signed (gpgv), every file at the checksum it names")
    return len(packages)
