using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Onshi.IntegrationTests.Infrastructure;

/// <summary>Every log line of the sites a test starts, at Debug level, message and exception text.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<string> lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}";
            lock (owner.lines)
            {
                owner.lines.Add(line);
            }
        }
    }
}

/// <summary>
/// Looks for secrets in plain text: in log lines, in every column of every table (text and blob), and in every file
/// of some directories. A secret of 8 characters or more is searched as UTF-8, UTF-16LE and base64 everywhere; a
/// short one (a 4-digit 秘密の番号) only as a whole token in text (log lines, text columns), since any binary holds
/// four given digits somewhere by chance.
/// </summary>
public static class SecretScanner
{
    public static List<string> Scan(IReadOnlyDictionary<string, string> secrets, IEnumerable<string> logLines,
        IReadOnlyList<(string Where, object Value)> databaseValues, IEnumerable<string> files)
    {
        var findings = new List<string>();
        var longSecrets = secrets.Where(s => s.Value.Length >= 8).ToList();
        var shortSecrets = secrets.Where(s => s.Value.Length < 8).Select(s => (s.Key, Regex: new Regex($"(?<![0-9A-Za-z]){Regex.Escape(s.Value)}(?![0-9A-Za-z])"))).ToList();
        var longForms = longSecrets.Select(s => (s.Key, Forms: Forms(s.Value))).ToList();

        void Text(string where, string text)
        {
            foreach (var (name, value) in longSecrets)
            {
                if (text.Contains(value, StringComparison.Ordinal) || text.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)), StringComparison.Ordinal))
                {
                    findings.Add($"{name} in {where}");
                }
            }

            foreach (var (name, regex) in shortSecrets)
            {
                if (regex.IsMatch(text))
                {
                    findings.Add($"{name} in {where}");
                }
            }
        }

        void Bytes(string where, byte[] bytes)
        {
            foreach (var (name, forms) in longForms)
            {
                if (forms.Any(f => bytes.AsSpan().IndexOf(f) >= 0))
                {
                    findings.Add($"{name} in {where}");
                }
            }
        }

        var i = 0;
        foreach (var line in logLines)
        {
            Text($"log line {i++}", line);
        }

        foreach (var (where, value) in databaseValues)
        {
            switch (value)
            {
                case string s:
                    Text(where, s);
                    break;
                case byte[] b:
                    Bytes(where, b);
                    break;
                default:
                    break;
            }
        }

        foreach (var file in files)
        {
            Bytes(file, File.ReadAllBytes(file));
        }

        return findings;
    }

    /// <summary>Every value of every column of every table, labelled table.column#row.</summary>
    public static async Task<List<(string Where, object Value)>> DumpAsync(DbConnection connection, string provider)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = provider == TestDatabase.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var values = new List<(string, object)>();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            var row = 0;
            while (await reader.ReadAsync())
            {
                for (var c = 0; c < reader.FieldCount; c++)
                {
                    if (!reader.IsDBNull(c))
                    {
                        values.Add(($"{table}.{reader.GetName(c)}#{row}", reader.GetValue(c)));
                    }
                }

                row++;
            }
        }

        return values;
    }

    /// <summary>The SQLite database file (and its WAL) of a connection string, to scan its pages too.</summary>
    public static IEnumerable<string> SqliteFiles(string connectionString)
    {
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        return new[] { path, path + "-wal" }.Where(File.Exists);
    }

    private static List<byte[]> Forms(string value) =>
    [
        Encoding.UTF8.GetBytes(value),
        Encoding.Unicode.GetBytes(value),
        Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))),
    ];
}
