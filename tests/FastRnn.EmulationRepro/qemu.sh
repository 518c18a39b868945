#!/usr/bin/env bash
# Puts a qemu-user of a given Debian release into a folder without installing it (so two versions
# can sit side by side) and prints the folder holding its binaries:
#   qemu.sh bookworm            -> qemu 7.2   (Debian 12's own)
#   qemu.sh bookworm-backports  -> qemu 10.0  (the one .ci/run uses)
# Needs root for apt-get (it adds bookworm-backports to apt's sources if missing).
set -euo pipefail
suite=${1:?usage: qemu.sh bookworm|bookworm-backports}
dest=${QEMU_CACHE:-/tmp/fastrnn-qemu}/$suite
if [ -x "$dest/usr/bin/qemu-aarch64" ]; then echo "$dest/usr/bin"; exit 0; fi
if [ "$suite" = bookworm-backports ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/bookworm-backports.list
fi
apt-get update -qq >&2
mkdir -p "$dest"
work=$(mktemp -d)
# Debian 12 ships the static emulators as qemu-user-static; from 10.0 on, qemu-user is static itself.
package=qemu-user
[ "$suite" = bookworm ] && package=qemu-user-static
(cd "$work" && apt-get download -qq "$package/$suite" >&2 2>/dev/null && dpkg -x ./*.deb "$dest")
rm -rf "$work"
# qemu-user-static names its binaries qemu-*-static; give them the plain names too.
for f in "$dest"/usr/bin/qemu-*-static; do [ -e "$f" ] && ln -sf "$(basename "$f")" "${f%-static}"; done
"$dest/usr/bin/qemu-aarch64" --version | head -1 >&2
echo "$dest/usr/bin"
