namespace Onshi.Core.Features.Secrets;

/// <summary>Writing files that may hold (encrypted) secrets: private directories, 0600 files, atomic replacement.</summary>
public static class SecretFiles
{
    /// <summary>Creates <paramref name="path"/> (and parents) with mode 0700 on Unix.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Writes to a temporary file beside <paramref name="path"/> (created 0600 if <paramref name="secret"/>), flushes it
    /// to disk and renames it into place, so a crash leaves either the old or the new content, never half of one.
    /// </summary>
    public static void WriteAtomically(string path, byte[] content, bool secret)
    {
        ArgumentNullException.ThrowIfNull(content);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (secret)
        {
            CreatePrivateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory);
        }

        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        try
        {
            using (FileStream stream = new(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (secret && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
