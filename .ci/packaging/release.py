#!/usr/bin/env python3
"""A release of Compute Desk: `bash .ci/release VERSION [--repo DIR] [--check]`.

1. Holds the release to its rules, before anything is built, each refusal one sentence:
   - VERSION is MAJOR.MINOR.PATCH, and Cargo.toml (the one place the version is written;
     tauri.conf.json names none, Cargo.lock follows) says the same;
   - it is newer than every version the repository holds already (not older, not repeated);
   - CHANGELOG.md has its entry, in English and in Spanish;
   - the signing key (COMPUTE_DESK_SIGNING_KEY: an OpenPGP secret key file) is outside the
     repository, and no file of the repository holds a private key.
   `--check` stops here.
2. Builds the .deb and .rpm once (.ci/package) with the release's configuration: the
   homepage (COMPUTE_DESK_HOMEPAGE) and, given the repository's public address
   (COMPUTE_DESK_UPDATES_URL), the repository's source file and public key inside each
   package: an apt source with `Signed-By` its own keyring file, a yum/dnf repo file with
   gpgcheck on. Without an address the packages add no repository, and it says so.
3. Publishes into DIR (default: $CARGO_TARGET_DIR/repository), keeping earlier versions:
   apt/  pool/ and dists/stable/ (Packages, Release, InRelease and Release.gpg, signed);
   rpm/  the signed .rpm and repodata/ (createrepo_c; repomd.xml signed as repomd.xml.asc);
   both with the public key, for whoever mirrors them.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def build_folder() -> Path:
    """The run's one build folder (.ci/paths decides it), exported so that every command
    this process starts, the package build and a copy of the tree's release included,
    builds into it."""
    folder = subprocess.run(["bash", "-c", 'source "$1" && printf %s "$CARGO_TARGET_DIR"', "paths",
                             str(REPO / ".ci/paths")], check=True, capture_output=True, text=True).stdout
    os.environ["CARGO_TARGET_DIR"] = folder
    return Path(folder)


TARGET = build_folder()
SUITE = "stable"
COMPONENT = "main"
ARCH = "amd64"
KEYRING_NAME = "compute-desk-archive-keyring.gpg"
RPM_KEY_NAME = "RPM-GPG-KEY-compute-desk"
SOURCES_PATH = "/etc/apt/sources.list.d/compute-desk.sources"
KEYRING_PATH = f"/usr/share/keyrings/{KEYRING_NAME}"
YUM_REPO_PATH = "/etc/yum.repos.d/compute-desk.repo"
RPM_KEY_PATH = f"/etc/pki/rpm-gpg/{RPM_KEY_NAME}"


class Refused(Exception):
    pass


def say(text: str):
    print(f"release: {text}", flush=True)


def run(*args, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("check", True)
    kw.setdefault("text", True)
    return subprocess.run([str(a) for a in args], **kw)


def version_tuple(text: str):
    found = re.fullmatch(r"(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})", text)
    return tuple(int(g) for g in found.groups()) if found else None


def cargo_version(root: Path) -> str:
    text = (root / "Cargo.toml").read_text()
    package = text.split("[package]", 1)[1].split("\n[", 1)[0]
    return re.search(r'^version\s*=\s*"([^"]+)"', package, re.M).group(1)


def changelog_items(root: Path, version: str) -> dict:
    """{'English': [...], 'Español': [...]} of VERSION's entry (the rules of whats_new.rs)."""
    lines = (root / "CHANGELOG.md").read_text().splitlines()
    items, section, inside = {}, None, False
    for line in lines:
        line = line.rstrip()
        if line.startswith("## "):
            inside = line[3:].strip() == version
            section = None
            continue
        if not inside:
            continue
        if line.startswith("### "):
            section = line[4:].strip()
            items.setdefault(section, [])
        elif section and line.strip().startswith("- ") and line.strip()[2:].strip():
            items[section].append(line.strip()[2:].strip())
    return items


def published_versions(repo_dir: Path) -> list:
    packages = repo_dir / "apt/dists" / SUITE / COMPONENT / f"binary-{ARCH}" / "Packages"
    if not packages.exists():
        return []
    return re.findall(r"^Version: (\S+)$", packages.read_text(), re.M)


def files_of_repository(root: Path) -> list:
    """The files of the repository: tracked and untracked, not ignored (as git sees them),
    or every file when it is not a git checkout."""
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True)
    if listed.returncode == 0:
        return [root / p for p in listed.stdout.decode().split("\0") if p]
    return [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]


PRIVATE_KEY = re.compile(rb"-----BEGIN (PGP PRIVATE KEY BLOCK|[A-Z ]*PRIVATE KEY)-----")


def check_rules(root: Path, version: str, repo_dir: Path, key_file):
    """Refuses a release that breaks a rule; returns the newest version published (or None)."""
    if version_tuple(version) is None:
        raise Refused(f"“{version}” is not a version: write it as MAJOR.MINOR.PATCH, such as 1.4.2.")
    written = cargo_version(root)
    if written != version:
        raise Refused(f"Cargo.toml says {written}, not {version}: the version is written there, once; "
                      f"set it to {version} (and run `cargo update -p compute-desk`) first.")
    conf = json.loads((root / "tauri.conf.json").read_text())
    if "version" in conf:
        raise Refused("tauri.conf.json names a version of its own: remove it, Cargo.toml's is the one.")
    lock = root / "Cargo.lock"
    if lock.exists():
        entry = re.search(r'name = "compute-desk"\nversion = "([^"]+)"', lock.read_text())
        if entry and entry.group(1) != version:
            raise Refused(f"Cargo.lock still says {entry.group(1)}: run `cargo update -p compute-desk`.")
    published = published_versions(repo_dir)
    newest = max(published, key=lambda v: version_tuple(v) or (0, 0, 0), default=None)
    if version in published:
        raise Refused(f"{version} is published already in {repo_dir}: a version is released once; "
                      "give this release a new one.")
    if newest and version_tuple(newest) and version_tuple(version) < version_tuple(newest):
        raise Refused(f"{version} is older than {newest}, the newest in {repo_dir}: "
                      "people's Software Updater would never offer it.")
    items = changelog_items(root, version)
    for language in ("English", "Español"):
        if not items.get(language):
            raise Refused(f"CHANGELOG.md has no “What's new” for {version} in {language}: write a "
                          f"“## {version}” section with “### English” and “### Español” lists.")
    for path in files_of_repository(root):
        try:
            with open(path, "rb") as f:
                head = f.read(1 << 20)
        except OSError:
            continue
        if PRIVATE_KEY.search(head):
            raise Refused(f"{path.relative_to(root)} holds a private key: it must never be in the "
                          "repository. Remove it (and consider the key lost: make a new one).")
    if key_file is None:
        raise Refused("COMPUTE_DESK_SIGNING_KEY is not set: name the file of the OpenPGP secret key "
                      "that signs the repositories (kept outside the repository).")
    key = Path(key_file).resolve()
    if key == root or root in key.parents:
        raise Refused(f"the signing key {key_file} is inside the repository: keep it outside, "
                      "where it can never be committed.")
    if not key.is_file():
        raise Refused(f"the signing key {key_file} is not a file.")
    return newest


class Signer:
    """The release's key, imported into a throwaway GnuPG home for this run."""

    def __init__(self, key_file: Path, home: Path):
        self.home = home
        home.mkdir(mode=0o700)
        self.env = {**os.environ, "GNUPGHOME": str(home)}
        run("gpg", "--batch", "--quiet", "--import", key_file, env=self.env, capture_output=True)
        listing = run("gpg", "--batch", "--with-colons", "--list-secret-keys", env=self.env,
                      capture_output=True).stdout
        fingerprints = [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")]
        if not fingerprints:
            raise Refused(f"{key_file} holds no secret key: it cannot sign.")
        self.fingerprint = fingerprints[0]

    def unlock_args(self) -> list:
        """A protected key's passphrase, from the file COMPUTE_DESK_SIGNING_PASSPHRASE_FILE
        names (never on a command line)."""
        passphrase = os.environ.get("COMPUTE_DESK_SIGNING_PASSPHRASE_FILE")
        return ["--pinentry-mode", "loopback", "--passphrase-file", passphrase] if passphrase else []

    def gpg(self, *args, **kw):
        return run("gpg", "--batch", "--yes", "--quiet", *self.unlock_args(),
                   "--local-user", self.fingerprint, *args, env=self.env, **kw)

    def public_key(self, armored: bool) -> bytes:
        args = ["--armor"] if armored else []
        return subprocess.run(["gpg", "--batch", "--export", *args, self.fingerprint], env=self.env,
                              check=True, capture_output=True).stdout


def package_config(signer: Signer, url, homepage) -> Path:
    """The configuration merged into tauri.conf.json for this release's packages, and the
    files it adds. They are kept in one place from release to release: the bundler hands
    the merged configuration to the build, and the same one lets an unchanged app be reused
    from the build cache."""
    work = TARGET / "release-files"
    work.mkdir(parents=True, exist_ok=True)
    bundle = {}
    if homepage:
        bundle["homepage"] = homepage
    if url:
        base = url.rstrip("/")
        (work / "compute-desk.sources").write_text(
            "# Compute Desk's package repository: your system's Software Updater brings new\n"
            "# versions of Compute Desk from it, signed with the key beside it.\n"
            f"Types: deb\nURIs: {base}/apt\nSuites: {SUITE}\nComponents: {COMPONENT}\n"
            f"Architectures: {ARCH}\nSigned-By: {KEYRING_PATH}\n")
        (work / KEYRING_NAME).write_bytes(signer.public_key(armored=False))
        (work / "compute-desk.repo").write_text(
            "[compute-desk]\nname=Compute Desk\n"
            f"baseurl={base}/rpm\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\n"
            f"gpgkey=file://{RPM_KEY_PATH}\n")
        (work / RPM_KEY_NAME).write_bytes(signer.public_key(armored=True))
        bundle["linux"] = {
            "deb": {"files": {SOURCES_PATH: str(work / "compute-desk.sources"),
                              KEYRING_PATH: str(work / KEYRING_NAME)}},
            "rpm": {"files": {YUM_REPO_PATH: str(work / "compute-desk.repo"),
                              RPM_KEY_PATH: str(work / RPM_KEY_NAME)}},
        }
    path = work / "release.conf.json"
    path.write_text(json.dumps({"bundle": bundle}, indent=1))
    return path


def digest_lines(root: Path, names: list, algorithm: str) -> str:
    lines = []
    for name in names:
        data = (root / name).read_bytes()
        lines.append(f" {hashlib.new(algorithm, data).hexdigest()} {len(data):>16} {name}")
    return "\n".join(lines)


def publish_apt(apt: Path, deb: Path, signer: Signer, version: str):
    pool = apt / "pool" / COMPONENT / "c" / "compute-desk"
    pool.mkdir(parents=True, exist_ok=True)
    shutil.copy2(deb, pool / deb.name)
    dist = apt / "dists" / SUITE
    binary = dist / COMPONENT / f"binary-{ARCH}"
    binary.mkdir(parents=True, exist_ok=True)
    packages = run("dpkg-scanpackages", "--multiversion", "pool", cwd=apt, capture_output=True).stdout
    (binary / "Packages").write_text(packages)
    with open(binary / "Packages", "rb") as f, gzip.GzipFile(binary / "Packages.gz", "wb", mtime=0) as g:
        g.write(f.read())
    names = [f"{COMPONENT}/binary-{ARCH}/Packages", f"{COMPONENT}/binary-{ARCH}/Packages.gz"]
    release = "\n".join([
        "Origin: Compute Desk", "Label: Compute Desk", f"Suite: {SUITE}", f"Codename: {SUITE}",
        f"Version: {version}", f"Date: {formatdate(usegmt=True)}", f"Architectures: {ARCH}",
        f"Components: {COMPONENT}", "Description: Compute Desk, the desktop app for ThreatWinds Compute",
        "MD5Sum:", digest_lines(dist, names, "md5"), "SHA256:", digest_lines(dist, names, "sha256"),
    ]) + "\n"
    (dist / "Release").write_text(release)
    signer.gpg("--clearsign", "--digest-algo", "SHA512", "--output", dist / "InRelease", dist / "Release")
    signer.gpg("--armor", "--detach-sign", "--digest-algo", "SHA512", "--output", dist / "Release.gpg",
               dist / "Release")
    (apt / KEYRING_NAME).write_bytes(signer.public_key(armored=False))
    (apt / "compute-desk-archive-keyring.asc").write_bytes(signer.public_key(armored=True))


def publish_rpm(rpm_dir: Path, rpm: Path, signer: Signer):
    rpm_dir.mkdir(parents=True, exist_ok=True)
    signed = rpm_dir / rpm.name
    shutil.copy2(rpm, signed)
    run("rpmsign", "--addsign", "--define", f"_gpg_name {signer.fingerprint}",
        "--define", f"_gpg_path {signer.home}", "--define", f"__gpg {shutil.which('gpg') or '/usr/bin/gpg'}",
        "--define", "_gpg_sign_cmd_extra_args " + " ".join(["--batch", *signer.unlock_args()]),
        signed, env=signer.env, capture_output=True)
    run("createrepo_c", "--quiet", "--update", rpm_dir, capture_output=True)
    repomd = rpm_dir / "repodata" / "repomd.xml"
    signer.gpg("--armor", "--detach-sign", "--output", repomd.with_suffix(".xml.asc"), repomd)
    (rpm_dir / RPM_KEY_NAME).write_bytes(signer.public_key(armored=True))


def main(argv: list) -> int:
    args = list(argv)
    check_only = "--check" in args
    if check_only:
        args.remove("--check")
    repo_dir = TARGET / "repository"
    if "--repo" in args:
        i = args.index("--repo")
        if i + 1 >= len(args):
            print("usage: bash .ci/release VERSION [--repo DIR] [--check]", file=sys.stderr)
            return 2
        repo_dir = Path(args[i + 1]).resolve()
        del args[i:i + 2]
    if len(args) != 1:
        print("usage: bash .ci/release VERSION [--repo DIR] [--check]", file=sys.stderr)
        return 2
    version = args[0]
    key_file = os.environ.get("COMPUTE_DESK_SIGNING_KEY") or None
    url = (os.environ.get("COMPUTE_DESK_UPDATES_URL") or "").strip() or None
    homepage = (os.environ.get("COMPUTE_DESK_HOMEPAGE") or "").strip() or None
    started = time.monotonic()
    try:
        newest = check_rules(REPO, version, repo_dir, key_file)
        if url and not re.fullmatch(r"https?://[^\s\"']+", url):
            raise Refused(f"COMPUTE_DESK_UPDATES_URL “{url}” is not an http(s) address.")
        say(f"{version}: the rules hold (newer than {newest or 'nothing published'}, "
            "a “What's new” in English and Spanish, the key outside the repository)")
        if check_only:
            return 0
        with tempfile.TemporaryDirectory(prefix="compute-desk-release-") as work:
            work = Path(work)
            signer = Signer(Path(key_file), work / "gnupg")
            say(f"signing with key {signer.fingerprint}")
            if url:
                say(f"the packages add the repository {url} (apt: Signed-By {KEYRING_PATH}; rpm: gpgcheck on)")
            else:
                say("COMPUTE_DESK_UPDATES_URL is not set: the packages add no package repository, "
                    "and the app says it does not update itself")
            if not homepage:
                say("COMPUTE_DESK_HOMEPAGE is not set: the packages and About name no homepage")
            config = package_config(signer, url, homepage)
            env = {**os.environ, "COMPUTE_DESK_PACKAGE_CONFIG": str(config),
                   "COMPUTE_DESK_UPDATES_URL": url or "", "COMPUTE_DESK_HOMEPAGE": homepage or ""}
            t0 = time.monotonic()
            run("bash", REPO / ".ci/package", env=env, stdout=subprocess.DEVNULL)
            say(f"packages built in {time.monotonic() - t0:.0f} s")
            deb = TARGET / f"release/bundle/deb/compute-desk_{version}_{ARCH}.deb"
            rpm = TARGET / f"release/bundle/rpm/compute-desk-{version}-1.x86_64.rpm"
            for package in (deb, rpm):
                if not package.exists():
                    raise Refused(f"{package} was not built")
            t0 = time.monotonic()
            publish_apt(repo_dir / "apt", deb, signer, version)
            publish_rpm(repo_dir / "rpm", rpm, signer)
            say(f"published in {time.monotonic() - t0:.1f} s into {repo_dir}: apt/ (dists/{SUITE}, "
                f"pool/) and rpm/ (repodata/), signed by {signer.fingerprint}")
    except Refused as e:
        print(f"release: refused: {e}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as e:
        said = "\n".join(x for x in (e.stdout, e.stderr) if isinstance(x, str) and x)
        print(f"release: FAILED: `{' '.join(map(str, e.cmd))}` exited with {e.returncode}\n{said}",
              file=sys.stderr)
        return 1
    say(f"{version} released in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
