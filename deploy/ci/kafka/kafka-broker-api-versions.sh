#!/bin/bash
# The same name and arguments as apache/kafka's script, so docker-compose.yml's healthcheck fits both images.
# Without a JVM (one would cost ~3.5 s of CPU every healthcheck interval): one ApiVersions request (v0) over
# bash's /dev/tcp; healthy when the broker answers it with error code 0 (it does once its request handlers run).
[ "$1" = --bootstrap-server ] || { echo "usage: $0 --bootstrap-server host:port" >&2; exit 2; }
host=${2%:*}; port=${2##*:}
exec 3<>"/dev/tcp/$host/$port" || exit 1
# size 12 | api_key 18 (ApiVersions) | api_version 0 | correlation_id 1 | client_id "hc"
printf '\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x01\x00\x02hc' >&3
reply=$(timeout 5 head -c 10 <&3 | od -An -tx1 | tr -d ' \n')
exec 3<&-
# size (4 bytes) | correlation_id 1 | error_code 0
[ "${reply:8:12}" = "000000010000" ] || { echo "no ApiVersions answer from $2: ${reply:-nothing}" >&2; exit 1; }
