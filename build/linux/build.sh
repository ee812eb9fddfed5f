#!/usr/bin/env bash
# Builds the Linux program: a program folder and a .deb installer.
#   build/out/dist/handwerkml/handwerkml           runs on a fresh Debian/Ubuntu desktop
#   build/out/handwerkml_<version>_amd64.deb       double-click install under /opt
set -euo pipefail
# What goes into the package is installed for every user of the PC: readable by all,
# whatever umask the caller has (the appliance itself runs with 077).
umask 022
cd "$(dirname "$0")/../.."
scripts/setup-env test,build,server

out=build/out
version=$(.venv/bin/python -c "import appliance; print(appliance.__version__)")

APPLIANCE_BUNDLE=onedir .venv/bin/pyinstaller --noconfirm --log-level WARN \
  --workpath "$out/work" --distpath "$out/dist" appliance.spec

# The .deb: the program folder under /opt (nothing is unpacked at start), a menu entry
# with an icon, a command on the PATH, compressed with zstd. Uninstall with the software
# centre or `apt remove handwerkml`; data stays in the user's folder
# (~/.local/share/HandwerkML).
root="$out/deb"
rm -rf "$root"
mkdir -p "$root/opt"
cp -a "$out/dist/handwerkml" "$root/opt/handwerkml"
chmod -R u=rwX,go=rX "$root/opt/handwerkml"
install -Dm644 build/icon.png "$root/usr/share/icons/hicolor/256x256/apps/handwerkml.png"
install -Dm644 build/linux/handwerkml.desktop "$root/usr/share/applications/handwerkml.desktop"
mkdir -p "$root/usr/bin"
ln -sf /opt/handwerkml/handwerkml "$root/usr/bin/handwerkml"
mkdir -p "$root/DEBIAN"
size_kb=$(du -sk "$root" | cut -f1)
# The newest glibc symbol version any bundled library asks for is the glibc it needs.
glibc=$(find "$root/opt/handwerkml" -type f \( -name '*.so*' -o -name handwerkml \) \
  -exec objdump -T {} + 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
glibc=${glibc#GLIBC_}
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size_kb/" -e "s/@GLIBC@/$glibc/" \
  build/linux/control > "$root/DEBIAN/control"
dpkg-deb --root-owner-group -Zzstd -z19 --build "$root" "$out/handwerkml_${version}_amd64.deb" >/dev/null
du -sh "$out/dist/handwerkml"
ls -l "$out/handwerkml_${version}_amd64.deb"
