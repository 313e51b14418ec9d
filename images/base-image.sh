#!/usr/bin/env bash
# Builds Coracle's base image locally, with no registry and no Docker daemon: a jlink'ed Java 17
# runtime, the shared libraries it links against (taken from this machine), and busybox for a shell
# (health checks, kubectl exec into the agent's pods). Written as a `docker save` tarball, which Jib
# takes as its base image (tar://...) and `docker load` takes as it is.
#
#   images/base-image.sh OUT.tar        (skips the work when OUT.tar is newer than this script)
set -euo pipefail

out="${1:?usage: images/base-image.sh OUT.tar}"
tag="${CORACLE_BASE_IMAGE_TAG:-coracle/base:17}"
if [[ -s "$out" && "$out" -nt "${BASH_SOURCE[0]}" ]]; then
  echo "base-image: $out is up to date" >&2
  exit 0
fi
command -v jlink >/dev/null 2>&1 || { echo "base-image: jlink is missing (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{opt,etc,tmp,bin,var/lib/coracle} "$work/image"
chmod 1777 "$rootfs/tmp"

# The modules Spring Boot, Netty, Hibernate, H2, PostgreSQL's driver and Fabric8 use.
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http
modules+=,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml
modules+=,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs,jdk.localedata
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$rootfs/opt/java"

# The C libraries the runtime links against, at the paths it looks for them.
copy_with_parents() {
  local file="$1"
  mkdir -p "$rootfs$(dirname "$file")"
  cp -L "$file" "$rootfs$file"
}
declare -A seen=()
while read -r lib; do
  [[ -n "$lib" && -z "${seen[$lib]:-}" ]] || continue
  seen[$lib]=1
  copy_with_parents "$lib"
done < <(find "$rootfs/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null |
  awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u)
# glibc's name service modules are loaded at run time, not linked
for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
  [[ -e "$lib" ]] && copy_with_parents "$lib"
done
mkdir -p "$rootfs/lib64"
[[ -e "$rootfs/lib64/ld-linux-x86-64.so.2" ]] || cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"

if [[ -x /bin/busybox ]]; then
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ -e "$rootfs/bin/$applet" ]] || ln -s busybox "$rootfs/bin/$applet"
  done
else
  echo "base-image: no /bin/busybox (apt-get install busybox-static): the image has no shell" >&2
fi

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$work/image/layer.tar" .
diff_id="$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)"
mkdir -p "$work/image/$diff_id"
mv "$work/image/layer.tar" "$work/image/$diff_id/layer.tar"

cat >"$work/image/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"],
           "WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"images/base-image.sh: jlink runtime, its libraries, busybox"}]}
EOF
config_id="$(sha256sum "$work/image/config.json" | cut -d' ' -f1)"
mv "$work/image/config.json" "$work/image/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' "$config_id" "$tag" "$diff_id" >"$work/image/manifest.json"

mkdir -p "$(dirname "$out")"
# entry names as `docker save` writes them (manifest.json, not ./manifest.json)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/image" -cf "$out.tmp" \
  manifest.json "$config_id.json" "$diff_id"
mv -f "$out.tmp" "$out"
echo "base-image: wrote $out ($tag, $(du -h "$out" | cut -f1))" >&2
