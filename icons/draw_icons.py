"""Draws the Compute Desk icon (a rack of three machines on a blue tile) at any size."""
import struct, zlib, sys, os

def draw(n):
    px = bytearray()
    r = n * 0.22  # corner radius
    def inside_round(x, y, x0, y0, x1, y1, rad):
        cx = min(max(x, x0 + rad), x1 - rad)
        cy = min(max(y, y0 + rad), y1 - rad)
        return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad
    rows = []
    for j in range(n):
        row = bytearray([0])
        for i in range(n):
            x, y = i + 0.5, j + 0.5
            col = (0, 0, 0, 0)
            if inside_round(x, y, 0, 0, n, n, r):
                t = y / n
                col = (int(37 + 20 * t), int(99 - 30 * t), int(235 - 40 * t), 255)
                # three machine slots
                for k in range(3):
                    y0 = n * (0.22 + k * 0.2)
                    y1 = y0 + n * 0.15
                    if inside_round(x, y, n * 0.2, y0, n * 0.8, y1, n * 0.035):
                        col = (255, 255, 255, 255)
                        # a status light on each slot
                        lx, ly = n * 0.3, (y0 + y1) / 2
                        if (x - lx) ** 2 + (y - ly) ** 2 <= (n * 0.035) ** 2:
                            col = (34, 197, 94, 255)
            row += bytes(col)
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

out = sys.argv[1]
pngs = {}
# Linux desktops read one PNG a size from the hicolor theme; the bundler installs each PNG
# below into <width>x<height>/apps. icon.png (512) is the window's own icon.
for name, n in [("32x32.png", 32), ("48x48.png", 48), ("64x64.png", 64), ("128x128.png", 128),
                ("256x256.png", 256), ("icon.png", 512)]:
    pngs[n] = draw(n)
    open(os.path.join(out, name), "wb").write(pngs[n])
# ICO with embedded PNGs (Windows Vista and later read these)
sizes = [32, 256]
header = struct.pack("<HHH", 0, 1, len(sizes))
offset = 6 + 16 * len(sizes)
entries, data = b"", b""
for n in sizes:
    d = pngs[n]
    entries += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(d), offset + len(data))
    data += d
open(os.path.join(out, "icon.ico"), "wb").write(header + entries + data)
# ICNS with PNG payloads: ic07 = 128px, ic08 = 256px, ic09 = 512px
body = b""
for tag, n in [(b"ic07", 128), (b"ic08", 256), (b"ic09", 512)]:
    body += tag + struct.pack(">I", 8 + len(pngs[n])) + pngs[n]
open(os.path.join(out, "icon.icns"), "wb").write(b"icns" + struct.pack(">I", 8 + len(body)) + body)
