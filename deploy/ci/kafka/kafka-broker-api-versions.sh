#!/bin/sh
# The same name and arguments as apache/kafka's script, so docker-compose.yml's healthcheck fits both images.
# kafka-tools is not on the server's classpath; ConfigCommand (in the server jar) asks the broker through the
# same admin protocol and fails unless it answers.
[ "$1" = --bootstrap-server ] || { echo "usage: $0 --bootstrap-server host:port" >&2; exit 2; }
exec java -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.level=error -cp '/opt/kafka/libs/*' \
  kafka.admin.ConfigCommand --bootstrap-server "$2" --describe --entity-type brokers --entity-name 1 > /dev/null
