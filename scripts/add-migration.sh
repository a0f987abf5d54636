#!/usr/bin/env bash
# Adds an EF Core migration with the same NAME to both providers — the way to change the schema:
# edit src/Onshi.Core/Data (entities, OnshiDbContext), then `scripts/add-migration.sh NAME`, review, commit.
# Each migrations project is its own design-time startup project (DesignTimeDbContextFactory); no database
# server is needed. Undo the last one: dotnet ef migrations remove --project src/Onshi.Migrations.<Provider>
#   --startup-project src/Onshi.Migrations.<Provider>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if (($# != 1)) || [[ ! $1 =~ ^[A-Z][A-Za-z0-9]*$ ]]; then
  echo "usage: $0 NAME   (PascalCase, e.g. AddTerminalNotes)" >&2
  exit 2
fi
name=$1

for provider in Sqlite Postgres; do
  if compgen -G "src/Onshi.Migrations.$provider/Migrations/*_$name.cs" >/dev/null; then
    echo "add-migration.sh: a migration named $name already exists for $provider" >&2
    exit 1
  fi
done

dotnet tool restore >/dev/null
added=()
for provider in Sqlite Postgres; do
  project=src/Onshi.Migrations.$provider
  if ! timeout 10m dotnet ef migrations add "$name" --project "$project" --startup-project "$project" -o Migrations; then
    echo "add-migration.sh: adding $name to $provider failed." >&2
    for done_provider in "${added[@]}"; do
      echo "  $done_provider already has it; remove it with: dotnet ef migrations remove --project src/Onshi.Migrations.$done_provider --startup-project src/Onshi.Migrations.$done_provider" >&2
    done
    exit 1
  fi
  added+=("$provider")
done
echo "Added migration $name to SQLite and PostgreSQL:"
git status --short -- src/Onshi.Migrations.Sqlite src/Onshi.Migrations.Postgres
