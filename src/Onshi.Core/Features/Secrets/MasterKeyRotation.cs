using Microsoft.EntityFrameworkCore;
using Onshi.Core.Features.Certificates;

namespace Onshi.Core.Features.Secrets;

/// <summary>What a rotation did: how many files it re-encrypted, from which key id to which.</summary>
/// <param name="Files">Files rewritten (CA key, server PKCS#12, Data Protection key files), the id marker not counted.</param>
/// <param name="OldKeyId">The id of the key the directory was encrypted with.</param>
/// <param name="NewKeyId">The id of the key it is encrypted with now.</param>
/// <param name="AlreadyDone">True when the directory was already under the new key: nothing was written.</param>
/// <param name="KeyRows">Data Protection keys re-encrypted in the database (the shared key ring).</param>
public sealed record MasterKeyRotationResult(int Files, string OldKeyId, string NewKeyId, bool AlreadyDone, int KeyRows = 0);

/// <summary>
/// <c>onshi master-key rotate</c>: re-encrypts everything in a data directory that is encrypted under the
/// <see cref="MasterKey"/> — the CA private key (<c>ca/ca.key</c>), the OQS server PKCS#12 (<c>tls/server.pfx</c>) and
/// the secret of every Data Protection key (the shared ring in the database, and the <c>keys/*.xml</c> files of older
/// versions) — under a new key, and records the new key's id.
/// </summary>
/// <remarks>
/// <para>
/// Nothing but the wrapping changes: the CA key, the server key and the Data Protection keys themselves stay the same,
/// so issued certificates, session cookies, antiforgery tokens and the documents protected in the database stay valid.
/// </para>
/// <para>
/// Every file is first re-encrypted in memory, so a wrong current key or a corrupt file stops the rotation before
/// anything is written. Then each file is replaced atomically (temporary file, flush, rename) and the id marker
/// (<c>master-key.id</c>) last. A rotation cut off halfway is finished by running it again with the same two keys:
/// a file already under the new key is recognised (by the key id it names) and left as it is. The sites must be stopped
/// meanwhile: a running site would keep writing new Data Protection keys under the old key.
/// </para>
/// </remarks>
public static class MasterKeyRotation
{
    /// <summary>Re-encrypts <paramref name="dataDirectory"/> from <paramref name="current"/> to <paramref name="next"/>.</summary>
    /// <exception cref="OnshiStartupException">
    /// The two keys are the same, the directory is not encrypted with <paramref name="current"/>, or a file cannot be
    /// opened with it; nothing was written.
    /// </exception>
    public static MasterKeyRotationResult Rotate(string dataDirectory, MasterKey current, MasterKey next) =>
        RotateAsync(dataDirectory, current, next, database: null, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// As <see cref="Rotate"/>, and the Data Protection keys in <paramref name="database"/> (the shared key ring) too: all
    /// re-encrypted in memory first, then the rows in one transaction, then the files, then the marker. Run again after an
    /// interruption, rows and files already under the new key are only checked.
    /// </summary>
    public static async Task<MasterKeyRotationResult> RotateAsync(string dataDirectory, MasterKey current, MasterKey next,
        Data.OnshiDbContext? database, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        var directory = Path.GetFullPath(dataDirectory);
        if (string.Equals(current.KeyId, next.KeyId, StringComparison.Ordinal))
        {
            throw new OnshiStartupException(
                $"新しいマスター鍵が今の鍵と同じです (鍵 ID {next.KeyId})。何も変更していません。 / The new master key is the current one (id {next.KeyId}); nothing was changed.");
        }

        var recorded = MasterKey.ReadMarker(directory);
        if (string.Equals(recorded, next.KeyId, StringComparison.Ordinal))
        {
            return new MasterKeyRotationResult(0, current.KeyId, next.KeyId, AlreadyDone: true);
        }

        if (!string.Equals(recorded, current.KeyId, StringComparison.Ordinal))
        {
            throw new OnshiStartupException(
                $"マスター鍵が違います。データディレクトリ {directory} は鍵 ID {recorded ?? "(なし)"} で暗号化されていますが、{current.Source} の鍵の ID は {current.KeyId} です。何も変更していません。" +
                $" / Wrong master key: {directory} is encrypted with master key id {recorded ?? "(none)"}, but the key from {current.Source} has id {current.KeyId}; nothing was changed.");
        }

        // Everything re-encrypted in memory first: a file that does not open stops the rotation before any write.
        var files = new List<(string Path, byte[] Content)>();
        var caKey = Path.Combine(directory, "ca", "ca.key");
        if (File.Exists(caKey) && CertificateAuthority.RewrapKeyFile(caKey, current, next) is { } caContent)
        {
            files.Add((caKey, caContent));
        }

        var serverPfx = Path.Combine(directory, "tls", "server.pfx");
        if (CertificateAuthority.RewrapServerPfx(serverPfx, current, next) is { } pfxContent)
        {
            files.Add((serverPfx, pfxContent));
        }

        files.AddRange(OnshiDataProtection.RewrapKeys(OnshiDataProtection.KeysDirectory(directory), current, next));
        var rows = new List<(int Id, string Xml)>();
        if (database is not null)
        {
            var stored = await database.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id)
                .Select(k => new { k.Id, k.FriendlyName, k.Xml }).ToListAsync(cancellationToken);
            rows.AddRange(OnshiDataProtection.RewrapRows(stored.Select(k => (k.Id, k.FriendlyName, k.Xml)), current, next));
            if (rows.Count > 0)
            {
                var strategy = database.Database.CreateExecutionStrategy();
                await strategy.ExecuteAsync(async ct =>
                {
                    await using var tx = await database.Database.BeginTransactionAsync(ct);
                    foreach (var (id, xml) in rows)
                    {
                        await database.DataProtectionKeys.Where(k => k.Id == id).ExecuteUpdateAsync(u => u.SetProperty(k => k.Xml, xml), ct);
                    }

                    await tx.CommitAsync(ct);
                }, cancellationToken);
            }
        }

        // Then one file at a time, each atomically, and the marker last: until it names the new key, the old key still
        // starts nothing half-rotated by mistake (a file under the new key refuses the old one), and the same command
        // run again completes the rotation.
        foreach (var (path, content) in files)
        {
            SecretFiles.WriteAtomically(path, content, secret: true);
        }

        MasterKey.WriteMarker(directory, next);
        return new MasterKeyRotationResult(files.Count, current.KeyId, next.KeyId, AlreadyDone: false, rows.Count);
    }
}
