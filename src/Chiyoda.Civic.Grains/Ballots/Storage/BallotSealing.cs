using System.Security.Cryptography;
using System.Text;

namespace Chiyoda.Civic.Grains.Ballots.Storage;

/// <summary>
/// Seals what a stored ballot says about the voter's choices (the ballot's <c>Data</c> and its <c>Choices</c>
/// column) with AES-256-GCM under a key the application holds, so that reading the table, or a backup of it,
/// teaches nothing about how anyone voted. Each value is bound to its row and column (associated data
/// "{PartitionKey}|{RowKey}|{Column}"), so a sealed value copied to another voter's row does not open.
/// <para>
/// Format (docs/architecture.md, "Storage layout"): one version byte (1), a 12-byte random nonce, the 16-byte tag,
/// then the ciphertext of the plain text padded with spaces to a multiple of 64 bytes. The <c>Choices</c> column holds the same bytes in base64. Any AES-GCM implementation with
/// the key opens them; the tests do so with the .NET primitive alone.
/// </para>
/// </summary>
public sealed class BallotSealing
{
    public const byte FormatVersion = 1;
    public const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key;

    public BallotSealing(byte[] key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"The ballot encryption key must be {KeyBytes} bytes (base64 of 32 random bytes).", nameof(key));
        }

        _key = [.. key];
    }

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyBytes);

    /// <summary>
    /// Plain text is padded with trailing spaces to a multiple of this many bytes before sealing, so a sealed
    /// value's length does not tell how many proposals were chosen (JSON and the choices list ignore the spaces).
    /// </summary>
    public const int PaddingBlock = 64;

    public byte[] Seal(ReadOnlySpan<byte> unpadded, string partitionKey, string rowKey, string column)
    {
        var plain = new byte[(unpadded.Length / PaddingBlock + 1) * PaddingBlock];
        unpadded.CopyTo(plain);
        plain.AsSpan(unpadded.Length).Fill((byte)' ');
        var sealedValue = new byte[1 + NonceBytes + TagBytes + plain.Length];
        sealedValue[0] = FormatVersion;
        var nonce = sealedValue.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, sealedValue.AsSpan(1 + NonceBytes + TagBytes), sealedValue.AsSpan(1 + NonceBytes, TagBytes), Associated(partitionKey, rowKey, column));
        return sealedValue;
    }

    /// <summary>Opens a sealed value; throws <see cref="CryptographicException"/> if it was altered, moved, or sealed with another key.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedValue, string partitionKey, string rowKey, string column)
    {
        if (sealedValue.Length < 1 + NonceBytes + TagBytes || sealedValue[0] != FormatVersion)
        {
            throw new CryptographicException($"Ballot {partitionKey}/{rowKey}: {column} is not a sealed value of format {FormatVersion}.");
        }

        var plain = new byte[sealedValue.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(sealedValue.Slice(1, NonceBytes), sealedValue[(1 + NonceBytes + TagBytes)..], sealedValue.Slice(1 + NonceBytes, TagBytes), plain, Associated(partitionKey, rowKey, column));
        return plain;
    }

    public string SealText(string plain, string partitionKey, string rowKey, string column) =>
        Convert.ToBase64String(Seal(Encoding.UTF8.GetBytes(plain), partitionKey, rowKey, column));

    public string OpenText(string sealedText, string partitionKey, string rowKey, string column) =>
        Encoding.UTF8.GetString(Open(Convert.FromBase64String(sealedText), partitionKey, rowKey, column)).TrimEnd(' ');

    private static byte[] Associated(string partitionKey, string rowKey, string column) => Encoding.UTF8.GetBytes($"{partitionKey}|{rowKey}|{column}");
}
