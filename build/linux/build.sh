#!/usr/bin/env bash
# Builds the Linux program: a single-file binary and a .deb installer.
#   build/out/dist/handwerkml                      runs on a fresh Debian/Ubuntu desktop
#   build/out/handwerkml_<version>_amd64.deb       double-click install under /opt
set -euo pipefail
# What goes into the package is installed for every user of the PC: readable by all,
# whatever umask the caller has (the appliance itself runs with 077).
umask 022
cd "$(dirname "$0")/../.."
scripts/setup-env test,build

out=build/out
version=$(.venv/bin/python -c "import appliance; print(appliance.__version__)")

APPLIANCE_BUNDLE=onefile .venv/bin/pyinstaller --noconfirm --log-level WARN \
  --workpath "$out/work" --distpath "$out/dist" appliance.spec

# The .deb: the binary under /opt, a menu entry with an icon, a command on the PATH.
# The binary is compressed inside already, so the package is not compressed again (xz
# took 9 minutes for no gain). Uninstall with the software centre or `apt remove handwerkml`; data stays in the
# user's folder (~/.local/share/HandwerkML).
root="$out/deb"
rm -rf "$root"
install -Dm755 "$out/dist/handwerkml" "$root/opt/handwerkml/handwerkml"
install -Dm644 build/icon.png "$root/usr/share/icons/hicolor/256x256/apps/handwerkml.png"
install -Dm644 build/linux/handwerkml.desktop "$root/usr/share/applications/handwerkml.desktop"
mkdir -p "$root/usr/bin"
ln -sf /opt/handwerkml/handwerkml "$root/usr/bin/handwerkml"
mkdir -p "$root/DEBIAN"
size_kb=$(du -sk "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size_kb/" build/linux/control > "$root/DEBIAN/control"
dpkg-deb --root-owner-group -Znone --build "$root" "$out/handwerkml_${version}_amd64.deb" >/dev/null
ls -l "$out/dist/handwerkml" "$out/handwerkml_${version}_amd64.deb"
