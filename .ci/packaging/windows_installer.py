"""Compute Desk's Windows installer, made and checked on Linux (`bash .ci/package windows`).

Made: the release's names go into `defines.nsh` from their one source each (the version from
Cargo.toml; the product's name, identifier, publisher and copyright from tauri.conf.json; a
homepage and a WebView2 bootstrapper only from the release's configuration), then Debian's
makensis builds src-tauri/packaging/windows/installer.nsi.

Checked, as far as a Linux machine can (Windows itself is not at hand):
- the app, its WebView2 loader and the installer are PE files for x86-64 (PE32+, AMD64);
- the app is a windowed program (no console window opens beside it), and it and the installer
  carry an icon, and the version, the product's name and the publisher in their version
  resources;
- the app needs no DLL but Windows' own and WebView2Loader.dll: none of MinGW's runtime DLLs,
  which no Windows machine has (a Windows DLL is one MinGW-w64 has an import library for);
- the installer asks Windows for no elevation (its manifest says asInvoker);
- it holds the app and WebView2Loader.dll, byte for byte as built, the uninstaller, and
  nothing else but NSIS's own plugins (7-Zip, which opens NSIS installers, lists them);
- makensis's record of what it compiled in (-V4) shows the installer installing for the
  person alone (their own programs folder, HKCU, no HKLM write), registering in Installed
  apps with the version and uninstaller, saving the Start menu entry with the app's ID, and
  the uninstaller removing the entry, the app and the registration;
- then Wine runs it for real: a silent install into a throwaway prefix puts exactly those
  files in the person's programs folder, the Start menu entry, and the Installed apps entry
  in HKCU (nothing in HKLM); the silent uninstall removes all three.

Run with Debian's Python (/usr/bin/python3), which has python3-pefile.
"""

import argparse
import filecmp
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pefile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from release import REPO, cargo_version, run  # noqa: E402

TRIPLE = "x86_64-pc-windows-gnu"
SCRIPT = REPO / "src-tauri" / "packaging" / "windows" / "installer.nsi"
ICON = REPO / "icons" / "icon.ico"
APP_EXE = "compute-desk.exe"
LOADER = "WebView2Loader.dll"
MINGW_LIB = Path("/usr/x86_64-w64-mingw32/lib")
MINGW_RUNTIME = [Path("/usr/lib/gcc/x86_64-w64-mingw32"), Path("/usr/x86_64-w64-mingw32")]
UNINSTALL_KEY = "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
AMD64 = pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"]
GUI = pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_WINDOWS_GUI"]


class Failed(Exception):
    pass


def say(text: str):
    print(f"windows: {text}", flush=True)


def release_names() -> dict:
    """What names the release, each from its one source."""
    config = json.loads((REPO / "tauri.conf.json").read_text())
    names = {
        "VERSION": cargo_version(REPO),
        "PRODUCT": config["productName"],
        "IDENTIFIER": config["identifier"],
        "PUBLISHER": config["bundle"]["publisher"],
        "COPYRIGHT": config["bundle"]["copyright"],
    }
    homepage = os.environ.get("COMPUTE_DESK_HOMEPAGE", "").strip()
    if homepage:
        names["HOMEPAGE"] = homepage
    return names


def uninstaller_name(names: dict) -> str:
    """The uninstaller's file name, as installer.nsi names it (UNINSTALLER)."""
    return f"Uninstall {names['PRODUCT']}.exe"


def same_bytes(a: Path, b: Path) -> bool:
    return filecmp.cmp(a, b, shallow=False)


def webview2_loader() -> Path:
    """The x64 WebView2Loader.dll of the webview2-com-sys that Cargo.lock pins (the one the
    app was linked against: its import library sits beside it)."""
    meta = run("cargo", "metadata", "--locked", "--format-version", "1",
               "--filter-platform", TRIPLE, capture_output=True, cwd=REPO).stdout
    found = [Path(p["manifest_path"]).parent / "x64" / LOADER
             for p in json.loads(meta)["packages"] if p["name"] == "webview2-com-sys"]
    if len(found) != 1 or not found[0].is_file():
        raise Failed(f"no single webview2-com-sys with an x64 {LOADER}: {found}")
    return found[0]


def nsis_text(value: str) -> str:
    """VALUE as an NSIS string: quotes, dollars and backslash-free; one line."""
    if any(c in value for c in "\r\n\t"):
        raise Failed(f"a release name holds a line break or tab: {value!r}")
    return value.replace("$", "$$").replace('"', '$\\"')


def write_defines(path: Path, names: dict, files: dict):
    lines = ["; Written by .ci/packaging/windows_installer.py: do not edit."]
    for key, value in {**names, **files}.items():
        lines.append(f'!define {key} "{nsis_text(str(value))}"')
    # UTF-8 with a byte-order mark: makensis then reads it as UTF-8 whatever the locale.
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


def make_installer(app: Path, loader: Path, out_dir: Path, names: dict) -> tuple:
    """Builds the installer; gives its path and makensis's record of every instruction it
    compiled in (-V4), which check_installer reads."""
    out_dir.mkdir(parents=True, exist_ok=True)
    installer = out_dir / f"compute-desk_{names['VERSION']}_x64-setup.exe"
    installer.unlink(missing_ok=True)
    files = {
        "APP_EXE": APP_EXE,
        "APP_PATH": app,
        "WEBVIEW2_LOADER": loader,
        "ICON": ICON,
        "OUTFILE": installer,
    }
    bootstrapper = os.environ.get("COMPUTE_DESK_WEBVIEW2_BOOTSTRAPPER", "").strip()
    if bootstrapper:
        if not Path(bootstrapper).is_file():
            raise Failed(f"COMPUTE_DESK_WEBVIEW2_BOOTSTRAPPER names no file: {bootstrapper}")
        check_pe(Path(bootstrapper), "the WebView2 bootstrapper")
        files["WEBVIEW2_BOOTSTRAPPER"] = bootstrapper
        say(f"the installer embeds the WebView2 bootstrapper {bootstrapper}")
    else:
        say("no WebView2 bootstrapper configured: the installer tells the person when the "
            "runtime is missing")
    with tempfile.TemporaryDirectory() as tmp:
        write_defines(Path(tmp) / "defines.nsh", names, files)
        started = time.monotonic()
        made = subprocess.run(
            ["makensis", "-V4", "-INPUTCHARSET", "UTF8", f"-X!addincludedir {tmp}", str(SCRIPT)],
            text=True, capture_output=True)
        if made.returncode != 0 or re.search(r"^\d+ warnings?:", made.stdout, re.M):
            raise Failed(f"makensis failed or warned:\n{made.stdout}{made.stderr}")
        say(f"installer made in {time.monotonic() - started:.1f} s: {installer} "
            f"({installer.stat().st_size:,} bytes)")
    return installer, made.stdout


def check_pe(path: Path, what: str) -> pefile.PE:
    """The PE file at PATH, with its resources and imports read, if it is for x86-64."""
    pe = pefile.PE(str(path), fast_load=True)
    if pe.FILE_HEADER.Machine != AMD64 or pe.OPTIONAL_HEADER.Magic != 0x20B:
        raise Failed(f"{what} is not an x86-64 PE32+ file (machine {pe.FILE_HEADER.Machine:#x}, "
                     f"magic {pe.OPTIONAL_HEADER.Magic:#x})")
    pe.parse_data_directories([pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"],
                               pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]])
    return pe


def resources(pe: pefile.PE, kind: str) -> list:
    """The entries of the resource type KIND ("RT_MANIFEST", …) the PE carries."""
    root = getattr(pe, "DIRECTORY_ENTRY_RESOURCE", None)
    return [entry for entry in (root.entries if root else [])
            if entry.id == pefile.RESOURCE_TYPE[kind]]


def version_strings(pe: pefile.PE) -> dict:
    strings = {}
    for info in getattr(pe, "FileInfo", []) or []:
        for entry in info:
            for table in getattr(entry, "StringTable", []):
                strings.update({k.decode(): v.decode() for k, v in table.entries.items()})
    return strings


def check_version(pe: pefile.PE, what: str, expected: dict):
    strings = version_strings(pe)
    for key, value in expected.items():
        if strings.get(key) != value:
            raise Failed(f"{what}'s version resource says {key} = {strings.get(key)!r}, "
                         f"not {value!r}")


# Windows' own DLLs that crates link by name (raw-dylib) and MinGW-w64 has no import library
# for: the windows crates' WinRT activation, and std's random numbers (ProcessPrng).
RAW_DYLIB_SYSTEM = {"combase", "bcryptprimitives"}


def windows_dll(name: str, import_libraries: set) -> bool:
    """Whether every Windows machine has the DLL NAME: one MinGW-w64 has an import library
    for, an API set (resolved by Windows' loader itself), or one of RAW_DYLIB_SYSTEM."""
    stem = name.lower().rsplit(".", 1)[0]
    return (stem in import_libraries or stem in RAW_DYLIB_SYSTEM
            or stem.startswith(("api-ms-win-", "ext-ms-win-")))


def check_app(app: Path, names: dict) -> list:
    pe = check_pe(app, "the app")
    if pe.OPTIONAL_HEADER.Subsystem != GUI:
        raise Failed(f"the app is not a windowed program (subsystem {pe.OPTIONAL_HEADER.Subsystem})")
    if not has_icon(pe):
        raise Failed("the app carries no icon")
    check_version(pe, "the app", {"ProductName": names["PRODUCT"],
                                  "CompanyName": names["PUBLISHER"],
                                  "FileVersion": names["VERSION"],
                                  "ProductVersion": names["VERSION"]})
    # Tauri's production build (window/startup.rs says which build it is in its log).
    body = app.read_bytes()
    if b"Compute Desk production build" not in body or b"Compute Desk development build" in body:
        raise Failed("the app is not Tauri's production build (built without tauri/custom-protocol)")
    imports = sorted({entry.dll.decode() for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])},
                     key=str.lower)
    # MinGW's own runtime DLLs (libgcc_s_seh-1, libwinpthread-1, libstdc++-6 …) are on no
    # Windows machine: the app must carry none of them, and links them statically.
    runtime = {p.name.lower() for root in MINGW_RUNTIME for p in root.rglob("*.dll")}
    import_libraries = {p.name[3:].split(".")[0].lower() for p in MINGW_LIB.glob("lib*.a")}
    foreign = [dll for dll in imports if dll != LOADER and
               (dll.lower() in runtime or not windows_dll(dll, import_libraries))]
    if foreign:
        raise Failed(f"the app needs DLLs that Windows does not have: {', '.join(foreign)}")
    if LOADER not in imports:
        raise Failed(f"the app does not load {LOADER}: {imports}")
    return imports


def listing(installer: Path) -> list:
    """(path, size) of every file 7-Zip finds in the installer."""
    out = run("7z", "l", "-slt", "-ba", installer, capture_output=True).stdout
    files, path = [], None
    for line in out.splitlines():
        if line.startswith("Path = "):
            path = line[len("Path = "):]
        elif line.startswith("Size = ") and path is not None:
            size = line[len("Size = "):]
            files.append((path, int(size) if size.isdigit() else None))
            path = None
    return files


def has_icon(pe: pefile.PE) -> bool:
    """Whether the PE carries an icon (what Explorer, the Start menu and the taskbar show)."""
    return bool(resources(pe, "RT_GROUP_ICON"))


def requested_level(pe: pefile.PE) -> str:
    """The execution level the PE's manifest asks Windows for ("asInvoker": no elevation)."""
    for kind in resources(pe, "RT_MANIFEST"):
        for name in kind.directory.entries:
            for lang in name.directory.entries:
                data = pe.get_data(lang.data.struct.OffsetToData, lang.data.struct.Size)
                found = re.search(rb'requestedExecutionLevel\s+level="(\w+)"', data)
                if found:
                    return found.group(1).decode()
    return ""


def check_installer(installer: Path, compiled: str, app: Path, loader: Path,
                    names: dict) -> list:
    pe = check_pe(installer, "the installer")
    check_version(pe, "the installer", {"ProductName": names["PRODUCT"],
                                        "ProductVersion": names["VERSION"],
                                        "CompanyName": names["PUBLISHER"]})
    if not has_icon(pe):
        raise Failed("the installer carries no icon")
    level = requested_level(pe)
    if level != "asInvoker":
        raise Failed(f"the installer asks Windows for {level or 'no level'}, not asInvoker: "
                     "it must need no administrator")
    uninstaller = uninstaller_name(names)
    files = listing(installer)
    paths = sorted(p for p, _ in files)
    expected = {APP_EXE, LOADER, uninstaller}
    extra = [p for p in paths if p not in expected and not p.startswith("$PLUGINSDIR/")]
    if extra or not expected <= set(paths):
        raise Failed(f"the installer holds {paths}, not {sorted(expected)} and NSIS's own")
    with tempfile.TemporaryDirectory() as tmp:
        run("7z", "x", "-y", f"-o{tmp}", installer, capture_output=True)
        out = Path(tmp)
        for built, inside in ((app, APP_EXE), (loader, LOADER)):
            if not same_bytes(out / inside, built):
                raise Failed(f"the installer's {inside} is not the one built ({built})")
        check_pe(out / uninstaller, "the uninstaller")
    # What the installer does, from makensis's record of the instructions it compiled in.
    key = f"HKCU\\{UNINSTALL_KEY}\\{names['IDENTIFIER']}"
    link = f"$SMPROGRAMS\\{names['PRODUCT']}.lnk"
    must = {
        "installs under the person's own programs":
            f'InstallDir: "$LOCALAPPDATA\\Programs\\{names["PRODUCT"]}"',
        "writes its uninstaller": f'WriteUninstaller: "$INSTDIR\\{uninstaller}"',
        "registers in the person's Installed apps": f"WriteRegStr: {key}\\DisplayName=",
        "registers its version": f"WriteRegStr: {key}\\DisplayVersion={names['VERSION']}",
        "registers its uninstaller": f'WriteRegStr: {key}\\UninstallString="$INSTDIR\\{uninstaller}"',
        "saves the Start menu entry": f'("{link}",1)',
        "gives the entry the app's ID, for notifications":
            f'SysAllocString(w "{names["IDENTIFIER"]}")',
        "removes the Start menu entry on uninstall": f'Delete: "{link}"',
        "removes the app on uninstall": f'Delete: "$INSTDIR\\{APP_EXE}"',
        "removes its registration on uninstall": f"DeleteRegKey: {key}",
    }
    for why, text in must.items():
        if text not in compiled:
            raise Failed(f"makensis's record does not show that the installer {why} ({text!r})")
    if re.search(r"^(WriteReg\w+|DeleteReg\w+): HKLM", compiled, re.M):
        raise Failed("the installer writes to HKLM: it must install for the person alone")
    return files


WINE = Path("/usr/lib/wine/wine64")
WINESERVER = Path("/usr/lib/wine/wineserver")


def under_wine(installer: Path, app: Path, loader: Path, names: dict) -> float:
    """Installs and uninstalls for real, silently (/S), in a throwaway Wine prefix: the
    nearest this machine comes to Windows. Wine 8 (Debian 12) cannot start the app itself
    (it has no bcryptprimitives.dll, which Windows 10 and 11 have), and stubs the shell's
    property store (the Start menu entry's app ID); everything else the installer does is
    done and read back here. Gives the seconds the installation took."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "WINEPREFIX": f"{tmp}/prefix", "WINEDEBUG": "-all",
               "WINEDLLOVERRIDES": "mscoree,mshtml=", "DISPLAY": ""}

        def wine(*args):
            run(WINE, *args, env=env, capture_output=True, timeout=300)

        wine("wineboot", "-i")
        run(WINESERVER, "-w", env=env, timeout=300)
        drive = Path(tmp) / "prefix" / "drive_c"
        before = (Path(tmp) / "prefix" / "system.reg").read_text(errors="replace")
        started = time.monotonic()
        wine(installer, "/S")
        run(WINESERVER, "-w", env=env, timeout=300)
        took = time.monotonic() - started
        homes = [h for h in (drive / "users").iterdir() if (h / "AppData").is_dir()]
        if len(homes) != 1:
            raise Failed(f"no single user folder in the Wine prefix: {homes}")
        home = homes[0]
        folder = home / "AppData" / "Local" / "Programs" / names["PRODUCT"]
        link = (home / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu"
                / "Programs" / f"{names['PRODUCT']}.lnk")
        uninstaller = uninstaller_name(names)
        found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        if found != sorted([APP_EXE, LOADER, uninstaller]):
            raise Failed(f"under Wine the installer put down {found} in {folder}")
        for built, name in ((app, APP_EXE), (loader, LOADER)):
            if not same_bytes(folder / name, built):
                raise Failed(f"under Wine the installed {name} is not the one built")
        if APP_EXE.encode("utf-16-le") not in (link.read_bytes() if link.is_file() else b""):
            raise Failed(f"under Wine no Start menu entry leads to the app: {link}")
        user_reg = (Path(tmp) / "prefix" / "user.reg").read_text(errors="replace")
        # Wine's user.reg writes each backslash of a key twice.
        key = "[" + f"{UNINSTALL_KEY}\\{names['IDENTIFIER']}".replace("\\", "\\\\") + "]"
        entry = user_reg.split(key, 1)[1].split("\n\n", 1)[0] if key in user_reg else ""
        for value in (f'"DisplayName"="{names["PRODUCT"]}"',
                      f'"DisplayVersion"="{names["VERSION"]}"',
                      f'"Publisher"="{names["PUBLISHER"]}"'):
            if value not in entry:
                raise Failed(f"under Wine the person's Installed apps entry lacks {value}: "
                             f"{entry or 'no entry'}")
        after = (Path(tmp) / "prefix" / "system.reg").read_text(errors="replace")
        if names["IDENTIFIER"] in after and names["IDENTIFIER"] not in before:
            raise Failed("under Wine the installer wrote to the machine's registry (HKLM)")
        wine(folder / uninstaller, "/S")
        run(WINESERVER, "-w", env=env, timeout=300)
        user_reg = (Path(tmp) / "prefix" / "user.reg").read_text(errors="replace")
        left = [str(p) for p in (folder, link) if p.exists()]
        if left or key in user_reg:
            inside = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
            raise Failed(f"under Wine the uninstaller left {left or 'its registration'}"
                         + (f" (holding {inside})" if inside else ""))
        return took


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-dir", type=Path, required=True,
                        help="the Windows build's CARGO_TARGET_DIR")
    args = parser.parse_args(argv)
    release = args.target_dir / TRIPLE / "release"
    app = release / APP_EXE
    try:
        if not app.is_file():
            raise Failed(f"no app built at {app}")
        names = release_names()
        loader = webview2_loader()
        imports = check_app(app, names)
        say(f"app: {app} ({app.stat().st_size:,} bytes), x86-64 PE32+, windowed, with its icon, "
            f"version {names['VERSION']}; loads {', '.join(imports)}")
        check_pe(loader, LOADER)
        installer, compiled = make_installer(app, loader, release / "bundle" / "nsis", names)
        files = check_installer(installer, compiled, app, loader, names)
        say(f"installer: x86-64 PE32+, {names['PRODUCT']} {names['VERSION']} by "
            f"{names['PUBLISHER']}; holds " + ", ".join(
                f"{p} ({s:,} bytes)" if s is not None else p for p, s in files))
        took = under_wine(installer, app, loader, names)
        say(f"under Wine: installed in {took:.1f} s for the person alone (their programs "
            "folder, Start menu entry, Installed apps entry with version and publisher, "
            "nothing in HKLM), then uninstalled, leaving none of it")
    except Failed as e:
        print(f"windows: FAILED: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
