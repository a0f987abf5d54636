using System.CommandLine;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Onshi.Core.Features.Secrets;
using Onshi.Web.Hosting;

namespace Onshi.Cli.Commands;

/// <summary>What a backup archive says about itself (<c>manifest.json</c>, the first entry).</summary>
internal sealed record BackupManifest(string Format, int Version, DateTimeOffset CreatedAt, string Provider, string? MasterKeyId, int Files);

/// <summary>
/// <c>onshi backup --out FILE</c> and <c>onshi restore --from FILE</c>: one <c>.tar.gz</c> with a consistent copy of the
/// database (SQLite's online backup API, or <c>pg_dump -Fc</c>) and every file of the data directory (the encrypted CA
/// key, the encrypted Data Protection keys, the server certificate, <c>master-key.id</c>, the outbox, ...). The master
/// key is never in it: a restore needs the same key, given the usual way.
/// </summary>
internal static class BackupCommand
{
    public const string Format = "onshi-backup";
    private const string ManifestEntry = "manifest.json";
    private const string SqliteEntry = "database/onshi.db";
    private const string PostgresEntry = "database/onshi.pgdump";
    private const string DataPrefix = "data/";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var common = new CommonOptions();
        var output = new Option<string>("--out") { Description = "バックアップファイル (.tar.gz)", Required = true };
        var cmd = new Command("backup", "稼働中のままバックアップを取ります (database + data directory; not the master key)") { output };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) => Print(await BackupAsync(common.Settings(r), r.GetValue(output)!, ct)));
        return cmd;
    }

    public static Command CreateRestore()
    {
        var common = new CommonOptions();
        var from = new Option<string>("--from") { Description = "バックアップファイル (.tar.gz)", Required = true };
        var force = new Option<bool>("--force") { Description = "空でない復元先を上書きする" };
        var cmd = new Command("restore", "バックアップから復元します (into an empty data directory / database)") { from, force };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) => Print(await RestoreAsync(common.Settings(r), r.GetValue(from)!, r.GetValue(force), ct)));
        return cmd;
    }

    /// <summary>Backs up the running system of <paramref name="settings"/> to <paramref name="outFile"/> (mode 0600).</summary>
    public static async Task<(int Code, string Message)> BackupAsync(OnshiSettings settings, string outFile, CancellationToken cancellationToken)
    {
        var data = Path.GetFullPath(settings.DataDirectory);
        var target = Path.GetFullPath(outFile);
        if (!Directory.Exists(data))
        {
            return (2, $"データディレクトリ {data} がありません。 / The data directory {data} does not exist.");
        }

        if (File.Exists(target))
        {
            return (2, $"{target} は既にあります。別の名前を指定してください。 / {target} already exists.");
        }

        var postgres = IsPostgres(settings);
        var staging = Directory.CreateTempSubdirectory("onshi-backup-").FullName;
        try
        {
            // The database first, then the files: a Data Protection key is written before anything uses it, so every
            // key the database snapshot needs is already in the directory when it is copied.
            var dump = Path.Combine(staging, postgres ? "onshi.pgdump" : "onshi.db");
            string? sqliteFile = null;
            if (postgres)
            {
                var (ok, error) = await RunPostgresToolAsync("pg_dump", settings, ["--format=custom", "--no-owner", "--file", dump], cancellationToken);
                if (!ok)
                {
                    return (1, $"pg_dump に失敗しました: {error} / pg_dump failed.");
                }
            }
            else
            {
                sqliteFile = Path.GetFullPath(new SqliteConnectionStringBuilder(settings.ResolveConnectionString()).DataSource);
                await using var source = new SqliteConnection(settings.ResolveConnectionString());
                await source.OpenAsync(cancellationToken);
                await using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dump, Pooling = false }.ToString());
                await destination.OpenAsync(cancellationToken);

                // The online backup API: a consistent snapshot while the sites keep writing.
                source.BackupDatabase(destination);
            }

            var files = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories)
                .Where(f => !IsExcluded(f, sqliteFile, target))
                .Order(StringComparer.Ordinal)
                .ToList();
            var manifest = new BackupManifest(Format, 1, DateTimeOffset.UtcNow, postgres ? "postgres" : "sqlite", MasterKey.ReadMarker(data), files.Count);

            var temporary = target + ".tmp";
            FileStreamOptions create = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var stream = new FileStream(temporary, create))
            {
                await using (var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true))
                await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
                {
                    var manifestEntry = new PaxTarEntry(TarEntryType.RegularFile, ManifestEntry)
                    {
                        DataStream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(manifest, Json)),
                        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    };
                    await tar.WriteEntryAsync(manifestEntry, cancellationToken);
                    await tar.WriteEntryAsync(dump, postgres ? PostgresEntry : SqliteEntry, cancellationToken);
                    foreach (var file in files)
                    {
                        await tar.WriteEntryAsync(file, DataPrefix + Path.GetRelativePath(data, file).Replace('\\', '/'), cancellationToken);
                    }
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target);
            var size = new FileInfo(target).Length;
            return (0, $"バックアップを作成しました: {target} ({size / 1024} KB, {manifest.Provider}, ファイル {files.Count} 件, マスター鍵 ID {manifest.MasterKeyId ?? "-"})。" +
                "マスター鍵は含まれていません。復元には同じマスター鍵が必要です。" +
                $" / Backup written (the master key is not in it; a restore needs the same key).");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(staging, recursive: true);
            File.Delete(target + ".tmp");
        }
    }

    /// <summary>
    /// Restores <paramref name="from"/> into the data directory and database of <paramref name="settings"/>; refuses a
    /// non-empty target unless <paramref name="force"/>, and a master key other than the backup's, before writing anything.
    /// </summary>
    public static async Task<(int Code, string Message)> RestoreAsync(OnshiSettings settings, string from, bool force, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(from);
        var data = Path.GetFullPath(settings.DataDirectory);
        if (!File.Exists(source))
        {
            return (2, $"バックアップファイル {source} がありません。 / {source} does not exist.");
        }

        var postgres = IsPostgres(settings);
        var manifest = await ReadManifestAsync(source, cancellationToken);
        if (manifest is null || manifest.Format != Format || manifest.Version != 1)
        {
            return (2, $"{source} は Onshi のバックアップファイルではありません。 / {source} is not an Onshi backup.");
        }

        if (manifest.Provider != (postgres ? "postgres" : "sqlite"))
        {
            return (2, $"このバックアップは {manifest.Provider} のものです。--db {manifest.Provider} で復元してください。 / This backup is of a {manifest.Provider} database.");
        }

        // The key first: a restore the key cannot open is refused before anything is written.
        if (manifest.MasterKeyId is { } keyId)
        {
            MasterKey? key;
            try
            {
                key = MasterKey.FindConfigured(data, settings.MasterKeyFile);
            }
            catch (OnshiStartupException ex)
            {
                return (2, ex.Message);
            }

            if (key is null)
            {
                return (2, $"このバックアップの秘密情報は鍵 ID {keyId} のマスター鍵で暗号化されています。--master-key-file か {MasterKey.EnvironmentVariable} で同じ鍵を指定してください。" +
                    $" / The backup is encrypted with master key id {keyId}; give that key with --master-key-file or {MasterKey.EnvironmentVariable}.");
            }

            if (key.KeyId != keyId)
            {
                return (2, $"マスター鍵が違います: バックアップは鍵 ID {keyId}、{key.Source} の鍵は ID {key.KeyId} です。 / Wrong master key: the backup needs id {keyId}, {key.Source} has id {key.KeyId}.");
            }
        }

        var sqliteFile = postgres ? null : Path.GetFullPath(new SqliteConnectionStringBuilder(settings.ResolveConnectionString()).DataSource);
        var dataNonEmpty = Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any();
        var databaseNonEmpty = postgres ? await PostgresHasTablesAsync(settings, cancellationToken) : sqliteFile is not null && File.Exists(sqliteFile) && new FileInfo(sqliteFile).Length > 0;
        if ((dataNonEmpty || databaseNonEmpty) && !force)
        {
            return (2, $"復元先は空ではありません ({(dataNonEmpty ? data : "データベース")})。上書きする場合は --force を付けてください。何も変更していません。" +
                " / The target is not empty; nothing was changed. Add --force to overwrite it.");
        }

        if (dataNonEmpty)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(data))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }

        SecretFiles.CreatePrivateDirectory(data);
        var staging = Directory.CreateTempSubdirectory("onshi-restore-").FullName;
        try
        {
            string? dump = null;
            var count = 0;
            await using (var stream = File.OpenRead(source))
            await using (var gzip = new GZipStream(stream, CompressionMode.Decompress))
            await using (var tar = new TarReader(gzip))
            {
                while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
                {
                    if (entry.EntryType != TarEntryType.RegularFile || entry.Name == ManifestEntry)
                    {
                        continue;
                    }

                    string destination;
                    if (entry.Name is SqliteEntry or PostgresEntry)
                    {
                        destination = dump = Path.Combine(staging, Path.GetFileName(entry.Name));
                    }
                    else if (entry.Name.StartsWith(DataPrefix, StringComparison.Ordinal))
                    {
                        destination = Path.GetFullPath(Path.Combine(data, entry.Name[DataPrefix.Length..]));
                        if (!destination.StartsWith(data + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        {
                            return (2, $"バックアップファイルに不正なパスがあります: {entry.Name} / Unsafe path in the backup.");
                        }

                        count++;
                    }
                    else
                    {
                        continue;
                    }

                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    await entry.ExtractToFileAsync(destination, overwrite: true, cancellationToken);
                }
            }

            if (dump is null)
            {
                return (2, $"{source} にデータベースが含まれていません。 / The backup holds no database.");
            }

            if (postgres)
            {
                string[] args = ["--no-owner", "--exit-on-error", .. (databaseNonEmpty ? new[] { "--clean", "--if-exists" } : []), dump];
                var (ok, error) = await RunPostgresToolAsync("pg_restore", settings, args, cancellationToken);
                if (!ok)
                {
                    return (1, $"pg_restore に失敗しました: {error} / pg_restore failed.");
                }
            }
            else
            {
                foreach (var suffix in new[] { "-wal", "-shm", "-journal" })
                {
                    File.Delete(sqliteFile + suffix);
                }

                Directory.CreateDirectory(Path.GetDirectoryName(sqliteFile!)!);
                File.Copy(dump, sqliteFile!, overwrite: true);
            }

            return (0, $"復元しました: {data} (ファイル {count} 件, {manifest.Provider}, {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC のバックアップ)。 / Restored.");
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private static int Print((int Code, string Message) result)
    {
        (result.Code == 0 ? Console.Out : Console.Error).WriteLine(result.Message);
        return result.Code;
    }

    private static bool IsPostgres(OnshiSettings settings) =>
        settings.DatabaseProvider.ToUpperInvariant() is "POSTGRES" or "POSTGRESQL";

    private static bool IsExcluded(string file, string? sqliteFile, string target)
    {
        var name = Path.GetFileName(file);
        return string.Equals(file, target, StringComparison.Ordinal)
            || string.Equals(file, target + ".tmp", StringComparison.Ordinal)
            || name.EndsWith(".tmp", StringComparison.Ordinal)
            || (sqliteFile is not null && (file == sqliteFile || file == sqliteFile + "-wal" || file == sqliteFile + "-shm" || file == sqliteFile + "-journal"));
    }

    private static async Task<BackupManifest?> ReadManifestAsync(string source, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(source);
            await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            await using var tar = new TarReader(gzip);
            var first = await tar.GetNextEntryAsync(copyData: true, cancellationToken);
            return first is { Name: ManifestEntry, DataStream: { } data }
                ? await JsonSerializer.DeserializeAsync<BackupManifest>(data, Json, cancellationToken)
                : null;
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or FormatException or EndOfStreamException)
        {
            return null;
        }
    }

    private static async Task<bool> PostgresHasTablesAsync(OnshiSettings settings, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(settings.ResolveConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Runs pg_dump/pg_restore against the settings' database; the connection goes through PG* environment variables,
    /// so the password is never on a command line.
    /// </summary>
    private static async Task<(bool Ok, string Error)> RunPostgresToolAsync(string tool, OnshiSettings settings, IReadOnlyList<string> arguments,
        CancellationToken cancellationToken)
    {
        var path = FindPostgresTool(tool);
        if (path is null)
        {
            return (false, $"{tool} が見つかりません (scripts/deps.sh で postgresql-client を入れてください)");
        }

        var cs = new NpgsqlConnectionStringBuilder(settings.ResolveConnectionString());
        var start = new ProcessStartInfo(path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--dbname=" + (cs.Database ?? "postgres"));
        start.Environment["PGHOST"] = cs.Host ?? "127.0.0.1";
        start.Environment["PGPORT"] = cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = cs.Username ?? "postgres";
        if (!string.IsNullOrEmpty(cs.Password))
        {
            start.Environment["PGPASSWORD"] = cs.Password;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var error = (await stderr).Trim();
        return (process.ExitCode == 0, error.Length > 400 ? error[..400] : error);
    }

    private static string? FindPostgresTool(string tool)
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, tool)).ToList();

        // Debian keeps the versioned binaries here; the newest dumps every older server.
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.InsertRange(0, Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin", tool)));
        }

        return candidates.FirstOrDefault(File.Exists);
    }
}
