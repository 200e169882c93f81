using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chiyoda.Civic.Tests.Infrastructure;

/// <summary>
/// Self-signed certificates made once per test run, as a deployment would keep them in its vault: one
/// the silos share for TLS, one the key ring is encrypted to, and a stranger's (valid, but trusted by no
/// silo). Each is also written as a PKCS#12 file for the processes' <c>…:CertificatePath</c> settings, and
/// as PEM certificate and key files (a mounted Kubernetes TLS secret: <c>…:CertificatePath</c> and <c>…:KeyPath</c>).
/// </summary>
public static class TestCertificates
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("civic-certificates-").FullName;
    private static readonly Lazy<(X509Certificate2, string)> SiloPair = new(() => Make("chiyoda-civic-test-silo"));
    private static readonly Lazy<(X509Certificate2, string)> KeyRingPair = new(() => Make("chiyoda-civic-test-keyring"));
    private static readonly Lazy<(X509Certificate2, string)> StrangerPair = new(() => Make("chiyoda-civic-stranger"));

    public static X509Certificate2 Silo => SiloPair.Value.Item1;

    public static string SiloPath => SiloPair.Value.Item2;

    public static string KeyRingPath => KeyRingPair.Value.Item2;

    /// <summary>The key ring's certificate as PEM files, as a Kubernetes TLS secret mounts them.</summary>
    public static (string Certificate, string Key) KeyRingPem => (Path.ChangeExtension(KeyRingPath, ".crt"), Path.ChangeExtension(KeyRingPath, ".key"));

    public static X509Certificate2 Stranger => StrangerPair.Value.Item1;

    private static (X509Certificate2, string) Make(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        // Both ends of a silo connection: server and client authentication.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var pkcs12 = created.Export(X509ContentType.Pkcs12);
        var path = Path.Combine(Folder, name + ".pfx");
        File.WriteAllBytes(path, pkcs12);
        File.WriteAllText(Path.ChangeExtension(path, ".crt"), created.ExportCertificatePem());
        File.WriteAllText(Path.ChangeExtension(path, ".key"), key.ExportPkcs8PrivateKeyPem());
        return (X509CertificateLoader.LoadPkcs12(pkcs12, null), path);
    }
}
