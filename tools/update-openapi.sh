#!/usr/bin/env bash
# Regenerates docs/api/openapi-v1.json, the checked-in OpenAPI document the API client (src/Chiyoda.Civic.Client) is
# generated from at build time: starts the platform as the tests do (Azurite, identity provider, web app on free ports),
# writes the document it serves (its addresses as run.sh serves them), then rebuilds the client and its callers (the
# replay tool, the load generator), so a caller that no longer matches the API fails here.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

ensure_azurite
say "Building"
dotnet build Chiyoda.Civic.sln -nologo -v quiet -clp:ErrorsOnly
say "Writing docs/api/openapi-v1.json from the served document"
CIVIC_UPDATE_OPENAPI=1 dotnet test tests/Chiyoda.Civic.Tests --no-build -nologo \
  --filter "FullyQualifiedName~Platform.OpenApiDocumentTests.The_served_document_is_the_checked_in_one"
say "Regenerating the client and building its callers"
dotnet build Chiyoda.Civic.sln -nologo -v quiet -clp:ErrorsOnly
git --no-pager diff --stat -- docs/api/openapi-v1.json
