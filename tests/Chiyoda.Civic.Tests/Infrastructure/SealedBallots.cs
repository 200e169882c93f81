using System.Security.Cryptography;
using System.Text;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// Opens and seals stored ballots the way docs/architecture.md ("Storage layout") describes, with the .NET AES-GCM
/// primitive alone and not the platform's code: version byte 1, 12-byte nonce, 16-byte tag, ciphertext; associated
/// data "{PartitionKey}|{RowKey}|{Column}"; the Choices column is the same in base64. Development processes share
/// the key in .data/ballot-encryption.key at the repository root.
/// </summary>
public static class SealedBallots
{
    public static byte[] DevelopmentKey() =>
        Convert.FromBase64String(File.ReadAllText(Path.Combine(Repository.Root, ".data", "ballot-encryption.key")).Trim());

    public static byte[] Open(byte[] key, byte[] sealedValue, string partitionKey, string rowKey, string column)
    {
        Assert.Equal(1, sealedValue[0]);
        var plain = new byte[sealedValue.Length - 29];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedValue.AsSpan(1, 12), sealedValue.AsSpan(29), sealedValue.AsSpan(13, 16), plain, Encoding.UTF8.GetBytes($"{partitionKey}|{rowKey}|{column}"));
        return plain;
    }

    public static byte[] Seal(byte[] key, byte[] plain, string partitionKey, string rowKey, string column)
    {
        var sealedValue = new byte[29 + plain.Length];
        sealedValue[0] = 1;
        RandomNumberGenerator.Fill(sealedValue.AsSpan(1, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(sealedValue.AsSpan(1, 12), plain, sealedValue.AsSpan(29), sealedValue.AsSpan(13, 16), Encoding.UTF8.GetBytes($"{partitionKey}|{rowKey}|{column}"));
        return sealedValue;
    }

    /// <summary>The plain text is padded with spaces to a multiple of 64 bytes before sealing.</summary>
    public static string OpenText(byte[] key, string sealedText, string partitionKey, string rowKey, string column) =>
        Encoding.UTF8.GetString(Open(key, Convert.FromBase64String(sealedText), partitionKey, rowKey, column)).TrimEnd(' ');
}
