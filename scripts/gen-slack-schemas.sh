#!/usr/bin/env sh
# Regenerate the JSON schemas the Slack tests validate against, from the pinned SDK types
# (Slack publishes no manifest or Block Kit schema; shared/clients.md §3). Commit the output.
# Usage: sh scripts/gen-slack-schemas.sh
set -eu
cd "$(dirname "$0")/.."
gen() { npx ts-json-schema-generator --no-type-check --expose all "$@"; }
gen --path node_modules/@slack/web-api/dist/types/request/manifest.d.ts --type Manifest -o manifests/slack/manifest.schema.json
gen --path node_modules/@slack/types/dist/index.d.ts --type KnownBlock -o test/fixtures/slack/known-block.schema.json
echo "generated from @slack/web-api $(node -p "require('@slack/web-api/package.json').version") and @slack/types $(node -p "require('@slack/types/package.json').version")"
