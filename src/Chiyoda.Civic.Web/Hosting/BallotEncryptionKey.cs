using Chiyoda.Civic.Grains.Ballots.Storage;

namespace Chiyoda.Civic.Web.Hosting;

/// <summary>
/// The key that seals ballots' choices at rest. <c>Ballots:EncryptionKey</c> (base64 of 32 random bytes; in production
/// a Key Vault secret, e.g. an App Service Key Vault reference or a Kubernetes secret), or <c>Ballots:EncryptionKeyFile</c>
/// (a file holding it). Outside Development one of them is required: the platform refuses to start without it. In
/// Development the file defaults to <c>.data/ballot-encryption.key</c> at the repository root and is created with a
/// fresh random key on first use, so every local process (run.sh, the tests, the local cluster) shares it.
/// Every silo of a deployment must have the same key: a ballot sealed by one is opened by another.
/// </summary>
public static class BallotEncryptionKey
{
    public const string KeySetting = "Ballots:EncryptionKey";
    public const string FileSetting = "Ballots:EncryptionKeyFile";

    public static byte[] From(IConfiguration configuration, IHostEnvironment environment)
    {
        if (configuration[KeySetting] is { Length: > 0 } text)
        {
            return Decode(text, KeySetting);
        }

        var file = configuration[FileSetting] is { Length: > 0 } configured
            ? configured
            : environment.IsDevelopment()
                ? Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", "..", ".data", "ballot-encryption.key"))
                : throw new InvalidOperationException(
                    $"Ballots are sealed at rest with an application key: set {KeySetting} (base64 of 32 random bytes, e.g. from Key Vault) or {FileSetting}.");

        if (!File.Exists(file))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException($"{FileSetting} names '{file}', which does not exist.");
            }

            CreateOnce(file);
        }

        return Decode(File.ReadAllText(file).Trim(), file);
    }

    /// <summary>Several local processes may start at once: the first to move its file into place wins, the others read it.</summary>
    private static void CreateOnce(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temporary = $"{file}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, Convert.ToBase64String(BallotSealing.NewKey()) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, file, overwrite: false);
        }
        catch (IOException) when (File.Exists(file))
        {
            File.Delete(temporary);
        }
    }

    private static byte[] Decode(string text, string source)
    {
        try
        {
            var key = Convert.FromBase64String(text);
            return key.Length == BallotSealing.KeyBytes
                ? key
                : throw new InvalidOperationException($"{source}: the ballot encryption key must be {BallotSealing.KeyBytes} bytes, not {key.Length}.");
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{source}: the ballot encryption key is not base64.");
        }
    }
}
