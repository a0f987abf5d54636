#!/usr/bin/env bash
# The peer of the benchmarks: the ASP.NET Core Identity Razor Pages template, generated into a temporary directory
# (`dotnet new webapp --auth Individual`, SQLite, the SDK's own template, packages from the NuGet mirror), with two
# small changes — account confirmation off (RequireConfirmedAccount = false) and, at start, the schema migrated and one
# confirmed user created from PEER_USER / PEER_PASSWORD — then published Release into WORK/peer/app-KEY.
# Prints the path of Peer.dll. KEY = this script's hash + the SDK version, so a second run reuses the build.
#   bash bench/peer.sh WORK
set -euo pipefail
(($# == 1)) || { echo "usage: $0 WORK" >&2; exit 2; }
work=$1
sdk=$(dotnet --version)
key=$(sha256sum "$0" | cut -c1-12)-$sdk
app=$work/peer/app-$key
if [[ -f $app/Peer.dll ]]; then
  echo "$app/Peer.dll"
  exit 0
fi

src=$(mktemp -d /tmp/onshi-peer.XXXXXX)
trap 'rm -rf "$src"' EXIT
cd "$src"
{
  dotnet new webapp --auth Individual -o Peer --no-restore
  cd Peer
  grep -q 'UseSqlite' Program.cs || { echo "peer.sh: the template did not choose SQLite" >&2; exit 1; }
  sed -i 's/options.SignIn.RequireConfirmedAccount = true/options.SignIn.RequireConfirmedAccount = false/' Program.cs
  grep -q 'RequireConfirmedAccount = false' Program.cs || { echo "peer.sh: RequireConfirmedAccount not found" >&2; exit 1; }
  cat >seed.cs.txt <<'CS'

// onshi bench: the schema, and one confirmed user (PEER_USER / PEER_PASSWORD).
using (var scope = app.Services.CreateScope())
{
    scope.ServiceProvider.GetRequiredService<ApplicationDbContext>().Database.Migrate();
    var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
    var email = Environment.GetEnvironmentVariable("PEER_USER") ?? throw new InvalidOperationException("PEER_USER is not set");
    if (await users.FindByEmailAsync(email) is null)
    {
        var created = await users.CreateAsync(new IdentityUser { UserName = email, Email = email, EmailConfirmed = true },
            Environment.GetEnvironmentVariable("PEER_PASSWORD") ?? throw new InvalidOperationException("PEER_PASSWORD is not set"));
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }
    }
}
CS
  awk '{ print } /^var app = builder.Build\(\);/ { while ((getline line < "seed.cs.txt") > 0) print line }' Program.cs >Program.cs.new
  mv Program.cs.new Program.cs
  rm seed.cs.txt
  grep -q 'onshi bench' Program.cs || { echo "peer.sh: could not insert the seeding" >&2; exit 1; }
  dotnet publish -c Release -o "$app.tmp" -nologo
} >"$work/peer-build.log" 2>&1 || { tail -n 30 "$work/peer-build.log" >&2; echo "peer.sh: build failed (log: $work/peer-build.log)" >&2; exit 1; }
rm -rf "$app"
mv "$app.tmp" "$app"
echo "$app/Peer.dll"
