using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chiyoda.Civic.Web.Security;

/// <summary>
/// A certificate with its private key, named by settings under one section, in the two forms a
/// deployment hands secrets to the app:
/// <list type="bullet">
/// <item><c>{section}:Certificate</c>: base64 PKCS#12. That is what the secret of an Azure Key Vault
/// certificate holds, so an App Service Key Vault reference (<c>@Microsoft.KeyVault(SecretUri=…)</c>)
/// delivers it as it is.</item>
/// <item><c>{section}:CertificatePath</c>: a file, PKCS#12 (<c>.pfx</c>, <c>.p12</c>) or PEM, with the
/// PEM key in the same file or in <c>{section}:KeyPath</c> (a Kubernetes TLS secret mounted as a volume:
/// <c>tls.crt</c>, <c>tls.key</c>).</item>
/// </list>
/// <c>{section}:CertificatePassword</c> opens a password-protected PKCS#12. A certificate that is named but
/// cannot be used stops the start with a message naming the setting, rather than run without protection.
/// </summary>
public static class ConfiguredCertificate
{
    /// <summary>The section's certificate, or null when none is set.</summary>
    public static X509Certificate2? Load(IConfiguration configuration, string section, TimeProvider time)
    {
        var inline = configuration[$"{section}:Certificate"];
        var path = configuration[$"{section}:CertificatePath"];
        var keyPath = configuration[$"{section}:KeyPath"];
        var password = configuration[$"{section}:CertificatePassword"];
        if (string.IsNullOrWhiteSpace(inline) && string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(inline) && !string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException($"Set {section}:Certificate or {section}:CertificatePath, not both.");
        }

        var setting = string.IsNullOrWhiteSpace(inline) ? $"{section}:CertificatePath" : $"{section}:Certificate";
        X509Certificate2 certificate;
        try
        {
            certificate = string.IsNullOrWhiteSpace(inline)
                ? FromFile(path!, string.IsNullOrWhiteSpace(keyPath) ? null : keyPath, password)
                : X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(inline.Trim()), password);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or IOException or UnauthorizedAccessException)
        {
            // An unresolved Key Vault reference arrives as its own text ("@Microsoft.KeyVault(...)"): say so.
            var hint = inline?.TrimStart().StartsWith("@Microsoft.KeyVault", StringComparison.OrdinalIgnoreCase) == true
                ? " It is still a Key Vault reference: the app's identity cannot read the secret, or it does not exist yet."
                : "";
            throw new InvalidOperationException($"{setting} does not hold a usable certificate with its private key: {e.Message}.{hint}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{setting}: the certificate {certificate.Subject} has no private key.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (certificate.NotAfter.ToUniversalTime() <= now || certificate.NotBefore.ToUniversalTime() > now)
        {
            throw new InvalidOperationException(
                $"{setting}: the certificate {certificate.Subject} is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now.");
        }

        return certificate;
    }

    private static X509Certificate2 FromFile(string path, string? keyPath, string? password)
    {
        var head = File.ReadAllText(path).TrimStart();
        if (!head.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }

        using var pem = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        // A PEM key is ephemeral; TLS and XML encryption want one held the usual way, so go through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
