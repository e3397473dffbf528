#!/bin/sh
# A Runplane command agent in shell: upper-cases input.text. Reads the start line from stdin,
# writes one log event and the result as JSON lines on stdout.
read -r start
text=$(printf '%s' "$start" | sed -n 's/.*"text":"\([^"]*\)".*/\1/p')
printf '{"event":{"kind":"log","body":{"level":"info","message":"shouting"}}}\n'
printf '{"result":{"text":"%s"}}\n' "$(printf '%s' "$text" | tr '[:lower:]' '[:upper:]')"
