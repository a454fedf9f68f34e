#!/usr/bin/env bash
# The container image's runtime stage must install every shared library the
# ketcd binary links: each NEEDED entry of the binary is found in a Debian
# package, and that package is on the Dockerfile's runtime apt-get line or
# in every Debian slim image already, and so is each library ketcd loads
# when first needed (util/curl_library.cc: libcurl, for S3 and Azure). (The
# sanitizer runtimes of a test build are not part of a release binary.)
#   check_image_libraries.sh KETCD_BINARY DOCKERFILE
set -euo pipefail
binary="$1"
dockerfile="$2"
base=" libc6 libgcc-s1 libstdc++6 zlib1g "

runtime=" $(awk '/^FROM /{stage++} stage==2' "$dockerfile" | grep -o 'install -y --no-install-recommends .*' |
  sed 's/install -y --no-install-recommends//; s/\\//; s/&&.*//') "
[ "$runtime" != "  " ] || { echo "no runtime apt-get install line in $dockerfile"; exit 1; }

# Which package installed each library: one pass over dpkg's file lists
# (dpkg -S with patterns is slow).
libraries=(libcurl.so.4)
for library in $(readelf -d "$binary" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
  case "$library" in libasan.so* | libubsan.so* | ld-linux*) continue ;; esac
  libraries+=("$library")
done
multiarch="/$(uname -m)-linux-gnu/"
owners="$(grep -H -F -f <(printf "$multiarch%s\n" "${libraries[@]}") /var/lib/dpkg/info/*.list |
  sed 's|^/var/lib/dpkg/info/\([^:]*\)\(:[a-z0-9]*\)\{0,1\}\.list:|\1: |' || true)"

missing=0
for library in "${libraries[@]}"; do
  package="$(grep -m1 "/$library\$" <<<"$owners" | cut -d: -f1)"
  if [ -z "$package" ]; then
    echo "$library: no Debian package provides it"
    missing=1
  elif [[ "$runtime$base" != *" $package "* ]]; then
    echo "$library: package $package is missing from the runtime stage of $dockerfile"
    missing=1
  else
    echo "$library: $package"
  fi
done
exit "$missing"
