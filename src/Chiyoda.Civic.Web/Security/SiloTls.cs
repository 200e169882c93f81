using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Chiyoda.Civic.Web.Security;

/// <summary>
/// Silo-to-silo traffic (and any gateway client's) over mutual TLS: every connection to a silo port
/// must present a certificate the silo trusts, and every silo checks the one it connects to. Without
/// it any process that reaches a silo port could call grains directly and skip the API's authorization.
/// <para>
/// Trust is pinned, not chained: the silos of a deployment share one certificate (a Key Vault
/// certificate, or a Kubernetes TLS secret), and a peer is trusted when its certificate, valid today,
/// carries the same public key (so a renewal that keeps the key, Key Vault's <c>reuseKey</c>, needs no
/// coordination while silos pick it up one by one) or is listed in <c>Orleans:Tls:TrustedThumbprints</c>
/// (a certificate with a new key, while a rotation rolls through the silos). No CA is consulted, so a
/// certificate issued to anyone else for any name is refused.
/// </para>
/// </summary>
public sealed record SiloTlsSettings(X509Certificate2 Certificate, string PublicKeyPin, IReadOnlySet<string> TrustedThumbprints)
{
    public const string SectionName = "Orleans:Tls";

    /// <summary>
    /// The certificate from <c>Orleans:Tls</c>. Required for a cluster (<c>Orleans:Membership=AzureStorage</c>,
    /// so in production always): silos then talk over the network. A single development process
    /// (Localhost membership: loopback only, no other silo) runs without it unless one is configured.
    /// </summary>
    public static SiloTlsSettings? From(IConfiguration configuration, bool required, TimeProvider time)
    {
        var certificate = ConfiguredCertificate.Load(configuration, SectionName, time);
        if (certificate is null)
        {
            if (required)
            {
                throw new InvalidOperationException(
                    "Silo-to-silo TLS is not configured: set Orleans:Tls:Certificate (base64 PKCS#12, e.g. an App Service " +
                    "Key Vault reference to a Key Vault certificate) or Orleans:Tls:CertificatePath (a .pfx, or PEM with " +
                    "Orleans:Tls:KeyPath, e.g. a mounted Kubernetes TLS secret). Every silo of the cluster uses the same " +
                    "certificate. Without it any process that reaches a silo port could call grains directly. " +
                    "See docs/operations.md, 'Settings'.");
            }

            return null;
        }

        var trusted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var thumbprint in (configuration[$"{SectionName}:TrustedThumbprints"] ?? "")
                     .Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var hex = thumbprint.Replace(":", "", StringComparison.Ordinal);
            if (hex.Length is not (40 or 64) || !hex.All(Uri.IsHexDigit))
            {
                throw new InvalidOperationException(
                    $"Orleans:Tls:TrustedThumbprints: '{thumbprint}' is not a SHA-1 (40 hex digits) or SHA-256 (64) certificate thumbprint.");
            }

            trusted.Add(hex);
        }

        return new SiloTlsSettings(certificate, PublicKeyHash(certificate), trusted);
    }

    /// <summary>A peer is trusted when its certificate is valid now and carries the pinned public key or is one of the listed certificates.</summary>
    public bool Trusts(X509Certificate2 remote, DateTimeOffset now) =>
        remote.NotBefore.ToUniversalTime() <= now.UtcDateTime && now.UtcDateTime < remote.NotAfter.ToUniversalTime() &&
        (PublicKeyHash(remote) == PublicKeyPin ||
         TrustedThumbprints.Contains(remote.GetCertHashString(HashAlgorithmName.SHA256)) ||
         TrustedThumbprints.Contains(remote.Thumbprint));

    /// <summary>Mutual TLS with pinned trust, for a silo's silo port, its gateway and its outbound silo connections, or for a client.</summary>
    public void Configure(TlsOptions options, TimeProvider time)
    {
        options.LocalCertificate = Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Set, it replaces the platform's chain check (a self-issued certificate has no public chain): the pin is the check.
        options.RemoteCertificateValidation = (remote, _, _) => Trusts(remote, time.GetUtcNow());
    }

    /// <summary>SHA-256 of the certificate's SubjectPublicKeyInfo: the key, whatever certificate carries it.</summary>
    private static string PublicKeyHash(X509Certificate2 certificate) =>
        Convert.ToHexString(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
}
