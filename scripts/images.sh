# ./saam images: container images of the SAAM programs, built by Maven with Jib into OCI tarballs
# (no Docker daemon, no registry). Sourced by ./saam, not run.
#
# The base image is assembled here from Debian 12 packages (glibc, libstdc++, zlib and OpenJDK 17's
# headless runtime), because this build must work where no container registry is reachable. The
# package versions that went in are recorded next to the base and in the image's labels.

IMAGE_DIR="$SAAM_ROOT/target/images"
IMAGE_BASE="$IMAGE_DIR/jre-base.tar"
IMAGE_BASE_PACKAGES=(libc6 libgcc-s1 libstdc++6 zlib1g openjdk-17-jre-headless)
IMAGE_JAVA_HOME="/usr/lib/jvm/java-17-openjdk-amd64"
IMAGE_USER=10001
IMAGE_MODULES=(user-service feature-views ingestion identity)

# ./saam images: the base, then one tarball per program under <module>/target/images/.
run_images() {
  build_image_base
  step "building the images with Jib (${IMAGE_MODULES[*]})"
  (cd "$SAAM_ROOT" && mvn -B -q package -DskipTests -Dspotless.check.skip=true -Djib.skip=false \
    -pl "$(printf '%s,' "${IMAGE_MODULES[@]}" | sed 's/,$//')" -am) ||
    die "the image build failed (see the Maven output above)"
  local module
  for module in "${IMAGE_MODULES[@]}"; do
    ok "$module: $(du -h "$SAAM_ROOT/$module/target/images/$module.tar" | cut -f1) in $module/target/images/$module.tar"
  done
  say "Load one with: skopeo copy oci-archive:user-service/target/images/user-service.tar docker://<registry>/saam/user-service:$SAAM_VERSION"
}

# The base image as a docker-save tarball (what Jib's tar:// base reads): one layer holding the
# extracted packages, /etc/passwd with the unprivileged user, an empty /tmp.
build_image_base() {
  local work rootfs debs pkg layer diff config manifest versions
  if [ -s "$IMAGE_BASE" ] && [ "$IMAGE_BASE" -nt "$SAAM_ROOT/scripts/images.sh" ]; then
    ok "base image $IMAGE_BASE is up to date"
    return 0
  fi
  step "assembling the base image from Debian packages (${IMAGE_BASE_PACKAGES[*]})"
  command -v apt-get >/dev/null 2>&1 || die "the base image is assembled from Debian packages: apt-get is needed"
  mkdir -p "$IMAGE_DIR"
  work="$(mktemp -d)"
  rootfs="$work/rootfs" debs="$work/debs"
  mkdir -p "$rootfs" "$debs"
  trap 'rm -rf "$work"; trap - RETURN' RETURN
  if ! (cd "$debs" && apt-get download "${IMAGE_BASE_PACKAGES[@]}" >"$work/apt.log" 2>&1); then
    if is_root; then
      apt-get update >>"$work/apt.log" 2>&1 || true
      (cd "$debs" && apt-get download "${IMAGE_BASE_PACKAGES[@]}" >>"$work/apt.log" 2>&1) ||
        die "apt-get download failed: $(tail -3 "$work/apt.log")"
    else
      die "apt-get download failed (run 'sudo apt-get update' once): $(tail -3 "$work/apt.log")"
    fi
  fi
  versions=""
  for pkg in "$debs"/*.deb; do
    dpkg-deb -x "$pkg" "$rootfs"
    versions+="$(dpkg-deb -f "$pkg" Package)=$(dpkg-deb -f "$pkg" Version) "
  done
  mkdir -p "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nsaam:x:%s:%s:saam:/tmp:/sbin/nologin\n' "$IMAGE_USER" "$IMAGE_USER" >"$rootfs/etc/passwd"
  printf 'root:x:0:\nsaam:x:%s:\n' "$IMAGE_USER" >"$rootfs/etc/group"
  # Only what a headless JVM service needs: documentation and the package manager's files go.
  rm -rf "$rootfs/usr/share/doc" "$rootfs/usr/share/man" "$rootfs/usr/share/lintian" "$rootfs/usr/share/locale"
  # The JVM starts in the base before anything is built on it.
  image_base_smoke_test "$rootfs"
  rmdir "$rootfs/proc"

  layer="$work/layer.tar"
  tar --numeric-owner --owner=0 --group=0 --sort=name --mtime='@0' -C "$rootfs" -cf "$layer" .
  diff="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
  mkdir -p "$work/image"
  mv "$layer" "$work/image/layer.tar"
  config="$work/image/config.json"
  printf '{"architecture":"amd64","os":"linux","config":{"User":"%s:%s","Env":["PATH=%s/bin:/usr/bin:/bin","JAVA_HOME=%s","LANG=C.UTF-8"],"Labels":{"org.saam.base.packages":"%s","org.opencontainers.image.base.name":"debian:bookworm (packages)"}},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"scripts/images.sh: %s"}]}\n' \
    "$IMAGE_USER" "$IMAGE_USER" "$IMAGE_JAVA_HOME" "$IMAGE_JAVA_HOME" "${versions% }" "$diff" "${versions% }" >"$config"
  manifest="$work/image/manifest.json"
  printf '[{"Config":"config.json","RepoTags":["saam/jre-base:17"],"Layers":["layer.tar"]}]\n' >"$manifest"
  tar --numeric-owner --owner=0 --group=0 --mtime='@0' -C "$work/image" -cf "$IMAGE_BASE.tmp" manifest.json config.json layer.tar
  mv "$IMAGE_BASE.tmp" "$IMAGE_BASE"
  printf '%s\n' ${versions} >"$IMAGE_DIR/jre-base.packages"
  rm -rf "$work"
  ok "base image $IMAGE_BASE ($(du -h "$IMAGE_BASE" | cut -f1)): ${versions% }"
}

# java -version inside the assembled root file system, as the unprivileged user: proves the
# loader, the libraries and the JVM fit together. Needs root (chroot) or user namespaces.
image_base_smoke_test() {
  local rootfs="$1" out
  # The loader resolves the launcher's $ORIGIN through /proc, as in any container.
  mkdir -p "$rootfs/proc"
  if is_root; then
    out="$(unshare --fork --pid --mount --mount-proc="$rootfs/proc" \
      chroot --userspec="$IMAGE_USER:$IMAGE_USER" "$rootfs" "$IMAGE_JAVA_HOME/bin/java" -version 2>&1)" ||
      die "the JVM of the base image does not start: $out"
  elif unshare -r true 2>/dev/null; then
    out="$(unshare -r --fork --pid --mount --mount-proc="$rootfs/proc" \
      chroot "$rootfs" "$IMAGE_JAVA_HOME/bin/java" -version 2>&1)" ||
      die "the JVM of the base image does not start: $out"
  else
    say "  (JVM start inside the base not checked: needs root or user namespaces)"
    return 0
  fi
  ok "the base's JVM starts: $(printf '%s' "$out" | head -1)"
}
