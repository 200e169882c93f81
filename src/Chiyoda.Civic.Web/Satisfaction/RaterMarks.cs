using System.Security.Cryptography;
using System.Text;

namespace Chiyoda.Civic.Web.Satisfaction;

/// <summary>
/// The "has answered" mark of a person in a round: an HMAC-SHA256 of round and register key under a key only the platform
/// holds (derived from the ballot encryption key, <c>Ballots:EncryptionKey</c>, with its own purpose label). A plain hash of
/// a known account would let anyone who reads the table test whether that person answered; with the key they cannot, and
/// the mark says nothing about the answer either way.
/// </summary>
public sealed class RaterMarks
{
    private const string Purpose = "civic-satisfaction-raters-v1";
    private readonly byte[] _key;

    public RaterMarks(byte[] platformKey)
    {
        ArgumentNullException.ThrowIfNull(platformKey);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, platformKey, 32, info: Encoding.ASCII.GetBytes(Purpose));
    }

    /// <summary>128 bits of the HMAC: enough to tell one person from another, and not the person.</summary>
    public string Of(string roundId, string voterKey) =>
        Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{roundId}\n{voterKey}")))[..32].ToLowerInvariant();

    /// <summary>
    /// The unkeyed mark written before the key existed (SHA-256 of round and account): only read, so a person who answered
    /// then is not asked again; never written.
    /// </summary>
    public static string Legacy(string roundId, string subject) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"civic-satisfaction\n{roundId}\n{subject}")))[..32].ToLowerInvariant();
}
