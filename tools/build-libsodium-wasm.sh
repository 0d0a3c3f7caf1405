#!/usr/bin/env bash
# Builds libsodium for WebAssembly from Debian's source package of the same version as the native
# libsodium-dev, and installs it into OUT (include/ and lib/libsodium.a). Cached: does nothing when
# OUT/lib/libsodium.a is newer than this script. The system's apt configuration is left untouched:
# the deb-src source list lives in a private folder. Usage: build-libsodium-wasm.sh OUT
set -euo pipefail
out=$(realpath -m "$1")
[ "$out/lib/libsodium.a" -nt "$0" ] && exit 0

work="$out.src"
rm -rf "$work" && mkdir -p "$work/apt/lists/partial" "$work/apt/sources"
version=$(dpkg-query -W -f='${Version}' libsodium-dev)

# A private copy of the machine's Debian sources with deb-src enabled.
for f in /etc/apt/sources.list.d/*.sources; do
  sed 's/^Types: deb$/Types: deb deb-src/' "$f" > "$work/apt/sources/$(basename "$f")"
done
apt_opts=(-o Dir::Etc::SourceParts="$work/apt/sources" -o Dir::Etc::SourceList=/dev/null
          -o Dir::State::Lists="$work/apt/lists" -o Debug::NoLocking=1)
apt-get "${apt_opts[@]}" update -q >"$work/apt-update.log" 2>&1 || { cat "$work/apt-update.log"; exit 1; }
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only "libsodium=$version" >"$work/apt-source.log" 2>&1) \
  || { cat "$work/apt-source.log"; exit 1; }
tar -xf "$work"/libsodium_*.orig.tar.* -C "$work"
src=$(find "$work" -maxdepth 1 -type d -name 'libsodium-*' | head -n 1)

# One change, for size: X25519 with the base point (a sealed package's one-time key) by the same
# constant-time ladder as any other point, instead of through Ed25519's table of precomputed
# points. The browser makes one such key per package, so the ladder's extra fraction of a
# millisecond costs nothing, and the table (about 27 KB compressed) leaves the sealing module:
# nothing else the module uses reads it. Same result by definition: X25519(n, 9).
x25519="$src/src/libsodium/crypto_scalarmult/curve25519/ref10/x25519_ref10.c"
perl -0pi -e 's/    ge25519_scalarmult_base\(&A, t\);/    { static const unsigned char nine[32] = { 9 }; return crypto_scalarmult_curve25519_ref10(q, n, nine); }/' "$x25519"
grep -q 'nine\[32\]' "$x25519" || { echo "libsodium: the X25519 base-point change did not apply to $x25519"; exit 1; }

export NODE_PATH=/usr/share/nodejs NODE_OPTIONS=--no-experimental-fetch
cd "$src"
[ -x configure ] || ./autogen.sh -s >"$work/autogen.log" 2>&1
emconfigure ./configure --prefix="$out" --enable-minimal --disable-shared --without-pthreads \
  --disable-ssp --disable-asm --disable-pie CFLAGS="-Oz -flto" >"$work/configure.log" 2>&1 \
  || { tail -30 "$work/configure.log"; exit 1; }
emmake make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log"; exit 1; }
emmake make install >"$work/install.log" 2>&1 || { tail -30 "$work/install.log"; exit 1; }
rm -rf "$work"
echo "libsodium $version for wasm: $out"
