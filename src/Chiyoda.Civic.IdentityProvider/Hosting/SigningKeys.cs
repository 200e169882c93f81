using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace Chiyoda.Civic.IdentityProvider.Hosting;

/// <summary>
/// Signing and encryption keys that survive restarts, so tokens and sessions held by the platform stay valid
/// while developers restart the provider.
/// </summary>
internal static class SigningKeys
{
    /// <summary>Fallback key folder under the content root; <c>.data/</c> is git-ignored.</summary>
    public const string KeyFolder = ".data/idp-keys";

    public static void Configure(OpenIddictServerBuilder options, string contentRootPath)
    {
        if (CertificateStoreIsWritable())
        {
            // Self-signed certificates in the user's certificate store, created on first use and reused afterwards.
            options.AddDevelopmentEncryptionCertificate().AddDevelopmentSigningCertificate();
            return;
        }

        // No usable certificate store (e.g. a read-only home directory in a container): keep RSA keys in
        // files instead. Never ephemeral keys, which would invalidate every token on restart.
        var folder = Path.Combine(contentRootPath, KeyFolder);
        options.AddSigningKey(LoadOrCreate(Path.Combine(folder, "signing.pem")));
        options.AddEncryptionKey(LoadOrCreate(Path.Combine(folder, "encryption.pem")));
    }

    /// <summary>
    /// OpenIddict creates its development certificates lazily, on the first request, where a failure can no
    /// longer be caught; so check up front that the store can be written, with a throwaway certificate.
    /// </summary>
    private static bool CertificateStoreIsWritable()
    {
        try
        {
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest(
                "CN=Chiyoda Civic IdP store probe", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var probe = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(1));
            store.Add(probe);
            store.Remove(probe);
            return true;
        }
        catch (Exception exception) when (exception is CryptographicException or UnauthorizedAccessException
                                              or PlatformNotSupportedException or IOException)
        {
            return false;
        }
    }

    private static RsaSecurityKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var fresh = RSA.Create(2048);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllText(temporary, fresh.ExportRSAPrivateKeyPem());
            try
            {
                // Atomic publish: parallel test hosts may race here, and the first writer wins.
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));

        // A stable key id (hash of the public key) so JWKS consumers can cache across restarts.
        var keyId = Convert.ToHexString(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
        return new RsaSecurityKey(rsa) { KeyId = keyId };
    }
}
