"""Writes initramfs images: cpio 'newc' archives, no external tool needed."""
import os
import stat


def _entry(out, ino, name, mode, data=b"", nlink=1):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join(f"{v:08x}" for v in (
        ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
    out.write(hdr.encode() + name_b)
    out.write(b"\0" * ((4 - (110 + len(name_b)) % 4) % 4))
    out.write(data)
    out.write(b"\0" * ((4 - len(data) % 4) % 4))


def write(path, files, dirs=(), symlinks=None):
    """files: {archive path: host path or bytes}; dirs: archive dirs; symlinks: {link: target}.
    Host files keep their permission bits; bytes become 0755 (scripts)."""
    symlinks = symlinks or {}
    tmp = path + ".tmp"
    seen = set()
    with open(tmp, "wb") as out:
        ino = 1
        wanted = set(dirs)
        for name in list(files) + list(symlinks):
            parts = name.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                wanted.add("/".join(parts[:i]))
        for d in sorted(wanted):
            d = d.strip("/")
            if d and d not in seen:
                seen.add(d)
                _entry(out, ino, d, stat.S_IFDIR | 0o755, nlink=2)
                ino += 1
        for name, src in files.items():
            if isinstance(src, bytes):
                data, mode = src, 0o755
            else:
                with open(src, "rb") as f:
                    data = f.read()
                mode = os.stat(src).st_mode & 0o777
            _entry(out, ino, name.strip("/"), stat.S_IFREG | mode, data)
            ino += 1
        for name, target in symlinks.items():
            _entry(out, ino, name.strip("/"), stat.S_IFLNK | 0o777, target.encode())
            ino += 1
        _entry(out, 0, "TRAILER!!!", 0)
    os.replace(tmp, path)
